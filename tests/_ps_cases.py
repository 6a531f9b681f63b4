"""Synthetic cohorts for the propensity and matching tests: numeric, integer, categorical and
bool covariates (eight design columns with the intercept, enough for a BLAS product to round a
row by its position), no two rows alike; deterministic from the seed."""

from __future__ import annotations

import numpy as np
import pandas as pd

COVARIATES = ["age", "ecog", "stage", "bmi", "ldh", "smoker"]


def ps_cohort(n: int, seed: int) -> pd.DataFrame:
    """``n`` units: treatment ``t`` (0/1) depending on the covariates, then the covariates."""
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"age": rng.normal(62.0, 9.0, n), "ecog": rng.integers(0, 3, n),
                      "stage": rng.choice(["II", "III", "IV"], n),
                      "bmi": rng.normal(23.0, 3.0, n), "ldh": rng.lognormal(5.0, 0.4, n),
                      "smoker": rng.random(n) < 0.6})
    lp = 0.04 * (d.age - 62) - 0.3 * d.ecog + 0.5 * (d.stage == "IV") + 0.001 * (d.ldh - 150)
    d.insert(0, "t", (rng.random(n) < 1 / (1 + np.exp(-lp))).astype(int))
    return d
