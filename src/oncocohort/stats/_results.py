"""Result records shared by the statistics modules."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

__all__ = ["Estimate", "TestResult"]


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval (NaN where not estimable)."""

    estimate: float
    lower: float
    upper: float
    conf_level: float = 0.95

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(self)])


@dataclass(frozen=True)
class TestResult:
    """A chi-square type test: statistic, degrees of freedom and p-value (from ``chi2.sf``)."""

    statistic: float
    df: float
    p_value: float

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(self)])
