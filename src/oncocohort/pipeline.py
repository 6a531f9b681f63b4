"""The wiring of one study: spec -> sources -> model -> cohort -> derive -> analysis.

Pure orchestration used by the CLI: reads the inputs the spec names, never writes. Each stage
lives in its own folder; this module only calls them in order and carries their problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from oncocohort.problems import Problems

__all__ = ["LoadedStudy", "StudyResults", "load_study", "run_study", "demo_spec_path"]


@dataclass(frozen=True)
class LoadedStudy:
    """A study spec with its data typed and validated (``data`` is None when the spec failed)."""

    spec: object
    data: object
    problems: Problems


@dataclass(frozen=True)
class StudyResults:
    """What ``run_study`` produces for the report: named tables and notes for the user."""

    spec: object
    datasets: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)
    notes: tuple[str, ...] = ()


def demo_spec_path() -> Path:
    """Path of the bundled demo study spec (inside the installed package)."""
    return Path(str(resources.files("oncocohort") / "data" / "demo" / "study.yaml"))


def load_study(path: Path) -> LoadedStudy:
    """Load the spec and every source it names; type and validate the data.

    Raises :class:`~oncocohort.problems.InputError` when the spec itself is invalid; data
    problems are returned in ``problems`` (all of them) so the caller can list them.
    """
    from oncocohort.model import build_study_data
    from oncocohort.sources.load import load_sources
    from oncocohort.spec import load_spec

    spec = load_spec(Path(path))
    tables, source_problems = load_sources(spec)
    data, model_problems = build_study_data(tables, spec.validation_options())
    return LoadedStudy(spec=spec, data=data, problems=source_problems + model_problems)


def run_study(loaded: LoadedStudy) -> StudyResults:
    """Run what the project can compute for a validated study."""
    data = loaded.data
    datasets: dict[str, pd.DataFrame] = {"table_summary": data.summary()}
    notes = [
        "Loaded and validated the study's tables (summary in table_summary.csv).",
    ]
    return StudyResults(
        spec=loaded.spec, datasets=datasets, problems=loaded.problems, notes=tuple(notes)
    )
