"""Shared loaders for the statistics tests (reference fixtures written by R)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from _refdata import TERN, require

FIXTURES = Path(__file__).resolve().parents[1] / "reference" / "fixtures"

DAYS_PER_MONTH = 30.4375


def _read(name: str) -> pd.DataFrame:
    # round_trip: pandas' default float parser can be one unit in the last place off the
    # 17 significant digits R wrote (enough to reorder near-tied values)
    return pd.read_csv(
        FIXTURES / name,
        keep_default_na=False,
        na_values=["NA", "NaN"],
        float_precision="round_trip",
    )


@pytest.fixture(scope="session")
def read_fixture():
    """Reader for a CSV written by the R scripts of ``tests/reference/`` (R ``NA`` -> NaN; floats
    parsed exactly)."""
    return _read


@pytest.fixture(scope="session")
def km_inputs() -> dict[str, pd.DataFrame]:
    """Input data sets of the R fixtures, by case name."""
    inputs = {
        "lung": _read("km_input_lung.csv"),
        "aml": _read("km_input_aml.csv"),
        "veteran": _read("km_input_veteran.csv"),
    }
    for case, rows in _read("km_input_small.csv").groupby("case"):
        inputs[str(case)] = rows.reset_index(drop=True)
    return inputs


@pytest.fixture(scope="session")
def tern_expected() -> pd.DataFrame:
    path = TERN / "expected_values_R_survival.csv"
    return pd.read_csv(require(path))


@pytest.fixture(scope="session")
def tern_adtte() -> pd.DataFrame:
    path = TERN / "tern_ex_adtte.csv"
    return pd.read_csv(require(path))


@pytest.fixture(scope="session")
def tern_adrs() -> pd.DataFrame:
    path = TERN / "tern_ex_adrs.csv"
    return pd.read_csv(require(path))
