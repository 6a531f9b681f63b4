from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from oncocohort.cohort import Rule, select_cohort
from oncocohort.simulate import simulate_escc

ROOT = Path(__file__).resolve().parents[2]
STUDY = ROOT / "examples" / "escc-anlotinib-pd1" / "study.yaml"
DEMO = ROOT / "src" / "oncocohort" / "data" / "demo"


def demo_rules() -> list[Rule]:
    """The cohort rules of the demo study.yaml (read as plain YAML, not through the spec)."""
    spec = yaml.safe_load(STUDY.read_text(encoding="utf-8"))["cohort"]
    return [Rule(r["name"], kind, r["rule"], r["label"])
            for kind in ("inclusion", "exclusion") for r in spec[kind]]


@pytest.fixture(scope="session")
def tables() -> dict[str, pd.DataFrame]:
    return simulate_escc()


@pytest.fixture(scope="session")
def selection(tables):
    return select_cohort(tables["patients"], demo_rules())


@pytest.fixture(scope="session")
def included(selection) -> pd.DataFrame:
    return selection.selected
