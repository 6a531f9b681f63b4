"""Covariate balance between treatment groups: standardised mean differences, variance ratios.

References
----------
Austin PC (2009). Balance diagnostics for comparing the distribution of baseline covariates
between treatment groups in propensity-score matched samples. Stat Med 28:3083-3107.
Austin PC, Stuart EA (2015). Moving towards best practice when using inverse probability of
treatment weighting (IPTW) using the propensity score to estimate causal treatment effects in
observational studies. Stat Med 34:3661-3679.
Stuart EA, Lee BK, Leacy FP (2013). Prognostic score-based balance measures can be a useful
diagnostic for propensity score methods in comparative effectiveness research. J Clin
Epidemiol 66:S84-S90 (the unweighted denominator).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from ._cox_design import _levels, is_categorical

__all__ = ["BALANCE_COLUMNS", "balance"]

BALANCE_COLUMNS = ("variable", "level", "smd_before", "smd_after", "vr_before", "vr_after")


def _wmean(x: NDArray, w: NDArray) -> float:
    return float(np.sum(w * x) / np.sum(w))


def _wvar(x: NDArray, w: NDArray, binary: bool) -> float:
    """Variance with normalised weights w/sum(w): p(1 - p) for a 0/1 variable, else
    sum w (x - m)^2 / (1 - sum w^2) (= the n - 1 sample variance when unweighted)."""
    w = w / np.sum(w)
    m = float(np.sum(w * x))
    if binary:
        return m * (1.0 - m)
    denom = 1.0 - float(np.sum(w * w))
    return float(np.sum(w * (x - m) ** 2) / denom) if denom > 0 else np.nan


def _row(x: NDArray, t: NDArray, w: NDArray | None) -> tuple[float, float, float, float]:
    binary = bool(np.all((x == 0) | (x == 1)))
    tr, co = t == 1, t == 0
    ones = np.ones(x.size)
    sd = np.sqrt((_wvar(x[tr], ones[tr], binary) + _wvar(x[co], ones[co], binary)) / 2.0)

    def smd_vr(wt: NDArray) -> tuple[float, float]:
        if wt[tr].sum() <= 0 or wt[co].sum() <= 0:
            return np.nan, np.nan
        diff = _wmean(x[tr], wt[tr]) - _wmean(x[co], wt[co])
        if sd > 0:
            smd = diff / sd
        else:  # constant in both groups before weighting
            smd = 0.0 if diff == 0 else np.nan
        vr = np.nan if binary else _wvar(x[tr], wt[tr], False) / _wvar(x[co], wt[co], False)
        return smd, vr

    smd0, vr0 = smd_vr(ones)
    smd1, vr1 = smd_vr(w) if w is not None else (np.nan, np.nan)
    return smd0, smd1, vr0, vr1


def _weights(data: pd.DataFrame, weights) -> NDArray | None:
    if weights is None:
        return None
    if isinstance(weights, str):
        if weights not in data.columns:
            raise ValueError(f"weights column {weights!r} not in data")
        w = data[weights].to_numpy(dtype=float)
    elif isinstance(weights, pd.Series):  # aligned on the index (e.g. MatchResult.weights)
        w = weights.reindex(data.index).to_numpy(dtype=float)
    else:
        w = np.asarray(weights, dtype=float).ravel()
    if w.size != len(data):
        raise ValueError(f"weights has {w.size} values for {len(data)} rows of data")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("weights must be finite and >= 0 for every row (a Series is aligned "
                         "on data.index)")
    return w


def balance(
    data: pd.DataFrame,
    *,
    treatment: str,
    covariates: Sequence[str],
    weights: str | ArrayLike | None = None,
) -> pd.DataFrame:
    r"""Covariate balance before and after weighting or matching, one row per variable/level.

    For each numeric covariate, and for each level of a categorical one (as a 0/1 indicator;
    every level, the reference included):

    * **SMD** (signed), :math:`d = (\bar x_1 - \bar x_0) / \sqrt{(s_1^2 + s_0^2)/2}`. The
      denominator uses the variances of the **unweighted** sample in both columns, so that
      ``smd_before`` and ``smd_after`` differ only through the means (MatchIt's and cobalt's
      default; Stuart et al. 2013). For a 0/1 variable :math:`s^2 = p(1-p)`, otherwise the
      sample variance (n - 1). (MatchIt reports a mean difference below 1.5e-8 unscaled.)
    * **Variance ratio** :math:`s_1^2 / s_0^2` (treated over control), NaN for 0/1 variables
      (as MatchIt and cobalt: a proportion's variance is fixed by its mean).
    * *after* uses weighted means and variances: with normalised weights
      :math:`w_i / \sum w`, :math:`\bar x_w = \sum w_i x_i` and
      :math:`s_w^2 = \sum w_i (x_i - \bar x_w)^2 / (1 - \sum w_i^2)` (:math:`\bar x_w(1-\bar
      x_w)` for 0/1 variables). For matching, pass ``MatchResult.weights`` (unmatched units
      weigh 0).

    Rows with a missing treatment or covariate are left out (as in the propensity model).

    Parameters
    ----------
    data
        One row per unit.
    treatment
        Column with 1 (treated) and 0 (control), or bool.
    covariates
        Columns to check; numeric columns as they are, object/string/category/bool columns
        level by level (levels sorted, or in category order).
    weights
        A column name or an array (or a Series aligned on ``data.index``) of weights >= 0;
        None: only the ``*_before`` columns are filled (``*_after`` NaN).

    Returns
    -------
    DataFrame
        Columns ``variable, level, smd_before, smd_after, vr_before, vr_after``; ``level`` is
        "" for numeric covariates.

    Notes
    -----
    R ``cobalt::bal.tab(..., s.d.denom = "pooled", disp.v.ratio = TRUE)`` /
    ``summary(matchit(...))`` (MatchIt's ``bal1var``); SAS ``PROC PSMATCH ASSESS``
    (standardised differences with the pooled unweighted SD); Stata ``tebalance summarize``,
    ``pstest``; SPSS: by hand.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError("data must be a pandas DataFrame")
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    if not covariates:
        raise ValueError("covariates must name at least one column")
    missing = [c for c in [treatment, *covariates] if c not in data.columns]
    if missing:
        raise ValueError(f"column(s) not in data: {', '.join(map(repr, missing))}")
    w_all = _weights(data, weights)
    complete = np.ones(len(data), dtype=bool)
    for c in [treatment, *covariates]:
        complete &= data[c].notna().to_numpy()
    frame = data.loc[complete]
    tcol = frame[treatment]
    t = tcol.to_numpy(dtype=float)
    if not np.isin(t, (0.0, 1.0)).all():
        raise ValueError(f"treatment column {treatment!r} must hold only 0/1 (or bool)")
    if not ((t == 1).any() and (t == 0).any()):
        raise ValueError(f"treatment column {treatment!r} needs both groups in the complete rows")
    w = None if w_all is None else w_all[complete]
    rows = []
    for var in covariates:
        s = frame[var]
        if is_categorical(s):
            vals = s.to_numpy()
            for level in _levels(s):
                x = (vals == level).astype(float)
                rows.append((var, str(level), *_row(x, t, w)))
        else:
            x = s.to_numpy(dtype=float)
            if not np.isfinite(x).all():
                raise ValueError(f"covariate {var!r} holds infinite values")
            rows.append((var, "", *_row(x, t, w)))
    return pd.DataFrame(rows, columns=list(BALANCE_COLUMNS))
