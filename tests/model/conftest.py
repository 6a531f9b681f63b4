"""Fixtures of the model tests: SourceTables from frames and from the problem fixtures."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncocohort.model.dataset import ValidationOptions
from oncocohort.sources.base import SourceTable

FIXTURES = Path(__file__).parents[1] / "fixtures"
PROBLEMS = FIXTURES / "problems"


def source_from_frame(name: str, frame: pd.DataFrame, file: str, *, sheet=None,
                      columns=None, origin="long") -> SourceTable:
    """A SourceTable of ``frame`` whose first row is file row 2 (header on row 1)."""
    columns = dict(columns or {})
    frame = frame.rename(columns={user: canon for canon, user in columns.items()})
    return SourceTable(name, frame.reset_index(drop=True), file, sheet=sheet,
                       rows=np.arange(2, 2 + len(frame)), columns=columns, origin=origin)


def _read(path: Path, name: str, columns: dict) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    # the fixture CSVs hold canonical headers; show them under the user's names
    return frame.rename(columns=columns.get(name, {}))


def load_case(case: str) -> tuple[dict[str, list[SourceTable]], ValidationOptions, pd.DataFrame]:
    d = PROBLEMS / case
    base_opts = json.loads((PROBLEMS / "_base" / "options.json").read_text())
    case_opts = json.loads((d / "options.json").read_text()) if (d / "options.json").exists() \
        else {}
    drop = set(case_opts.pop("drop", []))
    columns = case_opts.pop("columns", {})
    opts = {**base_opts, **case_opts}
    opts["data_cutoff"] = dt.date.fromisoformat(opts["data_cutoff"])
    tables: dict[str, list[SourceTable]] = {}
    for base_file in sorted((PROBLEMS / "_base").glob("*.csv")):
        name = base_file.stem
        if name in drop:
            continue
        path = d / base_file.name if (d / base_file.name).exists() else base_file
        tables[name] = [source_from_frame(name, _read(path, name, columns), base_file.name,
                                          columns=columns.get(name))]
    for wide in sorted(d.glob("wide_*.csv")):
        name = wide.stem.removeprefix("wide_")
        tables.setdefault(name, []).append(
            source_from_frame(name, _read(wide, name, columns), wide.name, origin="wide"))
    expected = pd.read_csv(d / "expected.csv", dtype=str, keep_default_na=False)
    return tables, ValidationOptions(**opts), expected


@pytest.fixture
def make_source():
    """``make_source(name, frame, file, sheet=, columns=, origin=)`` -> SourceTable."""
    return source_from_frame


@pytest.fixture
def problem_case():
    """``problem_case(case)`` -> (tables, options, expected) of a problems fixture."""
    return load_case
