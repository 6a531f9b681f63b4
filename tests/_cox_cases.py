"""The R Cox fixture cases (``tests/reference/cox.R`` and ``cox_counting.R``): inputs, expected
rows, and the fit."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from oncocohort.stats.cox import CoxWarning, cox

FIXTURES = Path(__file__).resolve().parent / "reference" / "fixtures"


def _cases(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / name, dtype=str, keep_default_na=False)


def _results(name: str) -> pd.DataFrame:
    out = pd.read_csv(
        FIXTURES / name, keep_default_na=False, na_values=["NA"], float_precision="round_trip"
    )
    out["value"] = out["value"].astype(float)
    return out


CASES = _cases("cox_cases.csv")
RESULTS = _results("cox_results.csv")
# counting-process (start, stop] rows, robust variance, clusters, non-integer weights
COUNTING_CASES = _cases("cox_counting_cases.csv")
COUNTING_RESULTS = _results("cox_counting_results.csv")


def read_input(name: str) -> pd.DataFrame:
    """Input data ``cox_input_<name>.csv`` of the R fixtures."""
    return pd.read_csv(FIXTURES / f"cox_input_{name}.csv", float_precision="round_trip")


def fit_case(
    case: str | pd.Series,
    *,
    seed: int | None = None,
    reverse: bool = False,
    cases: pd.DataFrame = CASES,
):
    """Fit fixture ``case`` (its name or its row of ``cases``) as the R script did (warnings
    silenced: tests check them apart).

    ``seed`` shuffles the rows first and ``reverse`` lists the covariates in reverse order:
    the same model, so every result must be unchanged (up to rounding).
    """
    row = cases.set_index("case").loc[case] if isinstance(case, str) else case
    data = read_input(row["data"])
    if seed is not None:
        perm = np.random.default_rng(seed).permutation(len(data))
        data = data.iloc[perm].reset_index(drop=True)
    covariates = row["covariates"].split(";")
    if reverse:
        covariates = covariates[::-1]
    reference = None
    if row["reference"]:
        var, level = row["reference"].split("=")
        reference = {var: level}
        if pd.api.types.is_numeric_dtype(data[var]):  # R factor of a numeric code
            data[var] = data[var].astype("Int64").astype(str).replace("<NA>", None)
    extra = {}
    if "start" in row.index:  # the counting-process cases
        robust = {"": None, "TRUE": True, "FALSE": False}[row["robust"]]
        extra = {"start": row["start"] or None, "cluster": row["cluster"] or None}
        extra["robust"] = robust
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoxWarning)
        return cox(
            data,
            time=row["time"],
            event=row["event"],
            covariates=covariates,
            strata=row["strata"] or None,
            ties=row["ties"],
            reference=reference,
            weights=row["weights"] or None,
            **extra,
        )


def fit_counting_case(case: str, **kwargs):
    """:func:`fit_case` for a case of ``cox_counting.R``."""
    return fit_case(case, cases=COUNTING_CASES, **kwargs)
