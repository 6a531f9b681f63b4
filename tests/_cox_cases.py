"""The R Cox fixture cases (``tests/reference/cox.R``): inputs, expected rows, and the fit."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from oncocohort.stats.cox import CoxWarning, cox

FIXTURES = Path(__file__).resolve().parent / "reference" / "fixtures"
CASES = pd.read_csv(FIXTURES / "cox_cases.csv", dtype=str, keep_default_na=False)
RESULTS = pd.read_csv(FIXTURES / "cox_results.csv", keep_default_na=False, na_values=["NA"])
RESULTS["value"] = RESULTS["value"].astype(float)


def fit_case(case: str | pd.Series, *, seed: int | None = None, reverse: bool = False):
    """Fit fixture ``case`` (its name or its row of ``CASES``) as the R script did (warnings
    silenced: tests check them apart).

    ``seed`` shuffles the rows first and ``reverse`` lists the covariates in reverse order:
    the same model, so every result must be unchanged (up to rounding).
    """
    row = CASES.set_index("case").loc[case] if isinstance(case, str) else case
    data = pd.read_csv(FIXTURES / f"cox_input_{row['data']}.csv")
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
        )
