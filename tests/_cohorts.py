"""Helpers of the study-shape tests (tests/cohorts): reading a written ARD."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def read_ard(out: Path) -> pd.DataFrame:
    """The written ARD, every key column as text."""
    return pd.read_csv(out / "results" / "ard.csv", keep_default_na=False,
                       dtype={c: str for c in ("analysis", "endpoint", "group_var",
                                               "group_level", "variable", "category",
                                               "statistic")})


def ard_value(ard: pd.DataFrame, **where: str) -> float:
    """The one ARD value at ``where`` (absent keys are empty)."""
    keys = ("analysis", "endpoint", "group_var", "group_level", "variable", "category",
            "statistic")
    m = pd.Series(True, index=ard.index)
    for k in keys:
        m &= ard[k] == str(where.get(k, ""))
    assert m.sum() == 1, where
    return float(ard.loc[m, "value"].iloc[0])
