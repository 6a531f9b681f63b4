"""Propensity scores (logistic regression) and inverse-probability / overlap weights.

``propensity_scores`` fits P(T = 1 | x) by maximum likelihood logistic regression (R
``glm(family = binomial)``) and returns the fitted probabilities; ``propensity_weights`` turns
them into ATE, ATT or overlap (ATO) weights, optionally stabilised, trimmed and truncated.

Covariates are coded exactly as :func:`oncocohort.stats.cox` codes them (the same design code):
numeric columns enter as they are, object/string/category/bool columns as indicators of every
level but the reference (the first level, sorted or in category order). An intercept is always
included. Rows with a missing treatment or covariate get a NaN score (R ``na.action =
na.exclude``); they are not used in the fit.

References
----------
Rosenbaum PR, Rubin DB (1983). The central role of the propensity score in observational
studies for causal effects. Biometrika 70:41-55.
Hirano K, Imbens GW (2001). Estimation of causal effects using propensity score weighting.
Health Serv Outcomes Res Methodol 2:259-278.
Li F, Morgan KL, Zaslavsky AM (2018). Balancing covariates via propensity score weighting.
JASA 113:390-400 (overlap weights).
Crump RK, Hotz VJ, Imbens GW, Mitnik OA (2009). Dealing with limited overlap in estimation of
average treatment effects. Biometrika 96:187-199 (trimming).
Austin PC, Stuart EA (2015). Moving towards best practice when using inverse probability of
treatment weighting (IPTW). Stat Med 34:3661-3679 (stabilisation, truncation).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

from ._cox_checks import aliased_columns
from ._cox_design import _categorical_terms, _numeric_term, is_categorical
from ._cox_fit import linear_predictor

__all__ = [
    "ESTIMANDS",
    "PropensityWarning",
    "propensity_scores",
    "propensity_weights",
]

ESTIMANDS = ("ATE", "ATT", "ATO")
# Convergence: relative change of the deviance, R glm's criterion |dev - dev_old| /
# (|dev| + 0.1), but 1e-8 (R's default) tightened to 1e-12: Newton converges quadratically, so
# the fitted values are then at the maximum to machine precision (R's default stop leaves
# differences up to ~1e-8 in the fitted probabilities).
_EPS = 1e-12
_MAXIT = 50
# A fitted probability this close to 0 or 1 means (quasi-)complete separation.
_SEPARATION = 1e-10


class PropensityWarning(UserWarning):
    """The propensity model finished but its scores are unreliable (separation, no convergence)."""


@dataclass(frozen=True)
class _LogisticFit:
    """The fit behind :func:`propensity_scores` (private; kept for tests and diagnostics)."""

    coef: NDArray[np.float64]  # intercept first; NaN for aliased terms (R's NA)
    terms: tuple[str, ...]
    fitted: NDArray[np.float64]  # complete rows only
    complete: NDArray[np.bool_]  # which rows of the data were used
    deviance: float
    iterations: int
    converged: bool
    n_separated: int


def _treatment_values(series: pd.Series, name: str) -> NDArray[np.float64]:
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=float)
    if not pd.api.types.is_numeric_dtype(series.dtype):
        raise ValueError(f"treatment column {name!r} must be 0/1 or bool")
    t = series.to_numpy(dtype=float)
    bad = ~np.isin(t, (0.0, 1.0))
    if bad.any():
        raise ValueError(
            f"treatment column {name!r} must hold only 0 (control) and 1 (treated); "
            f"{int(bad.sum())} row(s) hold other values"
        )
    return t


def _design(data: pd.DataFrame, treatment: str, covariates: Sequence[str]):
    """(x with intercept, t, complete-row mask, term names) for the complete rows."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError("data must be a pandas DataFrame")
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    if not covariates:
        raise ValueError("covariates must name at least one column")
    if len(set(covariates)) != len(covariates):
        raise ValueError("covariates lists a column more than once")
    if treatment in covariates:
        raise ValueError(f"treatment column {treatment!r} is also listed as a covariate")
    missing = [c for c in [treatment, *covariates] if c not in data.columns]
    if missing:
        raise ValueError(f"column(s) not in data: {', '.join(map(repr, missing))}")
    complete = np.ones(len(data), dtype=bool)
    for c in [treatment, *covariates]:
        complete &= data[c].notna().to_numpy()
    if not complete.any():
        raise ValueError("no complete rows: every row has a missing treatment or covariate")
    frame = data.loc[complete, [treatment, *covariates]]
    t = _treatment_values(frame[treatment], treatment)
    if t.min() == t.max():
        raise ValueError(f"treatment column {treatment!r} has a single group in the complete rows")
    columns = [np.ones(len(frame))]
    terms = ["(Intercept)"]
    for var in covariates:
        s = frame[var]
        if is_categorical(s):
            cols, names, _ = _categorical_terms(s, var, {})
        else:
            cols, names = [_numeric_term(s, var, {})], [var]
        columns += cols
        terms += names
    return np.column_stack(columns), t, complete, tuple(terms)


def _deviance(t: NDArray[np.float64], mu: NDArray[np.float64]) -> float:
    # binomial deviance with 0/1 responses: -2 sum log P(observed group)
    p = np.where(t == 1.0, mu, 1.0 - mu)
    return float(-2.0 * np.sum(np.log(np.maximum(p, np.finfo(float).tiny))))


def _irls(x: NDArray[np.float64], t: NDArray[np.float64]):
    """Newton-Raphson (= IRLS for the canonical link) from beta = 0, with step halving.

    The linear predictor is summed left to right over the columns for every row
    (:func:`~oncocohort.stats._cox_fit.linear_predictor`), not a BLAS product: units with
    identical covariates get bit-identical scores on any CPU and at any row position, so the
    ties of the matching (:mod:`oncocohort.stats.matching`) are ties everywhere, as in R.
    """
    from scipy.linalg import cho_factor, cho_solve  # 0.1-0.2 s to import: only when fitted

    tiny = np.finfo(float).eps
    beta = np.zeros(x.shape[1])
    dev_old = _deviance(t, np.full(t.size, 0.5))
    converged = False
    it = 0
    for it in range(1, _MAXIT + 1):  # noqa: B007 - it is reported
        eta = linear_predictor(x, beta)
        mu = np.clip(expit(eta), tiny, 1.0 - tiny)
        w = mu * (1.0 - mu)
        info = (x * w[:, None]).T @ x
        score = x.T @ (t - mu)
        step = cho_solve(cho_factor(info), score)
        new = beta + step
        mu_new = np.clip(expit(linear_predictor(x, new)), tiny, 1.0 - tiny)
        dev = _deviance(t, mu_new)
        halvings = 0
        while not np.isfinite(dev) or dev > dev_old + 1e-12 * (abs(dev_old) + 0.1):
            if halvings == 20:  # cannot improve: stop here
                break
            step = step / 2.0
            new = beta + step
            mu_new = np.clip(expit(linear_predictor(x, new)), tiny, 1.0 - tiny)
            dev = _deviance(t, mu_new)
            halvings += 1
        beta = new
        if abs(dev - dev_old) / (abs(dev) + 0.1) < _EPS:
            converged = True
            break
        dev_old = dev
    return beta, expit(linear_predictor(x, beta)), dev, it, converged


def _fit_logistic(data, treatment, covariates) -> _LogisticFit:
    x, t, complete, terms = _design(data, treatment, covariates)
    centred = x[:, 1:] - x[:, 1:].mean(axis=0)
    aliased = np.concatenate([[False], aliased_columns(centred)])
    beta, fitted, dev, it, converged = _irls(x[:, ~aliased], t)
    coef = np.full(x.shape[1], np.nan)
    coef[~aliased] = beta
    n_sep = int(np.sum((fitted < _SEPARATION) | (fitted > 1.0 - _SEPARATION)))
    messages = []
    if aliased.any():
        names = ", ".join(np.asarray(terms)[aliased])
        messages.append(f"term(s) {names} are collinear with earlier terms and were left out")
    if not converged:
        messages.append(f"the logistic regression did not converge in {_MAXIT} iterations")
    if n_sep:
        messages.append(
            f"{n_sep} unit(s) have a fitted propensity score numerically 0 or 1: the covariates "
            "(quasi-)completely separate treated from controls; their scores are not estimable "
            "and their weights would be infinite (reconsider the covariates or restrict the "
            "population)"
        )
    for m in messages:
        warnings.warn(m, PropensityWarning, stacklevel=3)
    return _LogisticFit(coef, terms, fitted, complete, dev, it, converged, n_sep)


def propensity_scores(
    data: pd.DataFrame,
    *,
    treatment: str,
    covariates: Sequence[str],
    method: str = "logistic",
) -> NDArray[np.float64]:
    r"""Propensity scores :math:`e(x) = P(T = 1 \mid x)` by logistic regression.

    The model is :math:`\operatorname{logit} e(x) = \beta_0 + x'\beta`, fitted by maximum
    likelihood (Newton-Raphson, which for the logit link is R's iteratively reweighted least
    squares) to full convergence: the relative change of the deviance
    :math:`-2\sum_i \log P(T_i)` below 1e-12 (R ``glm`` stops at 1e-8), so the scores equal
    R ``fitted(glm(treat ~ ..., family = binomial))`` at its optimum.

    Parameters
    ----------
    data
        One row per unit.
    treatment
        Column with 1 (treated) and 0 (control), or bool.
    covariates
        Columns of the model. Numeric columns enter linearly; object, string, category and
        bool columns as indicators of each level but the first (R's treatment contrasts,
        levels sorted or in category order), as in :func:`oncocohort.stats.cox`.
    method
        ``"logistic"`` (the only one so far).

    Returns
    -------
    ndarray
        One score per row of ``data``, in row order; NaN where the treatment or a covariate
        is missing (those rows are left out of the fit, R ``na.action = na.exclude``).

    Warns
    -----
    PropensityWarning
        When fitted scores are numerically 0 or 1 (within 1e-10: complete or quasi-complete
        separation, the maximum likelihood estimate does not exist), when the fit does not
        converge in 50 iterations, or when a term is collinear with earlier ones (it is left
        out, as R's ``NA`` coefficient; the scores are unaffected).

    Notes
    -----
    R ``glm(family = binomial)``; SAS ``PROC LOGISTIC`` / ``PROC PSMATCH PSMODEL``; Stata
    ``logit`` + ``predict, pr`` (``teffects ipw``/``psmatch``, ``psmatch2, logit``); SPSS
    ``LOGISTIC REGRESSION /SAVE=PRED`` (or *Propensity Score Matching* in SPSS >= 22 via
    ``FUZZY``).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"t": [1, 1, 0, 1, 0, 0], "age": [70, 62, 55, 58, 66, 49]})
    >>> propensity_scores(d, treatment="t", covariates=["age"]).round(3)
    array([0.837, 0.579, 0.303, 0.416, 0.726, 0.139])
    """
    if method != "logistic":
        raise ValueError(f"unknown method {method!r}; only 'logistic' is available")
    fit = _fit_logistic(data, treatment, covariates)
    out = np.full(len(data), np.nan)
    out[fit.complete] = fit.fitted
    return out


def _as_scores(ps: ArrayLike, treatment: ArrayLike) -> tuple[NDArray, NDArray]:
    e = np.asarray(ps, dtype=float).ravel()
    t = np.asarray(treatment).ravel()
    if t.dtype == bool:
        t = t.astype(float)
    t = t.astype(float)
    if e.size != t.size:
        raise ValueError(f"ps and treatment differ in length ({e.size} != {t.size})")
    if e.size == 0:
        raise ValueError("ps is empty")
    if not np.isfinite(e).all() or ((e <= 0) | (e >= 1)).any():
        bad = int((~np.isfinite(e) | (e <= 0) | (e >= 1)).sum())
        raise ValueError(
            f"ps must be strictly between 0 and 1 for every unit; {bad} value(s) are not "
            "(missing, or numerically 0/1 after separation)"
        )
    if not np.isin(t, (0.0, 1.0)).all():
        raise ValueError("treatment must hold only 0 (control) and 1 (treated)")
    return e, t


def _check_fraction(name: str, value, upper: float) -> float | None:
    if value is None:
        return None
    if not isinstance(value, Real) or not 0 < float(value) < upper:
        raise ValueError(f"{name} must be a number in (0, {upper}), got {value!r}")
    return float(value)


def propensity_weights(
    ps: ArrayLike,
    treatment: ArrayLike,
    *,
    estimand: str = "ATE",
    stabilize: bool = True,
    trim: float | None = None,
    truncate: float | None = None,
) -> NDArray[np.float64]:
    r"""Propensity-score weights for the ATE, the ATT or the overlap population (ATO).

    With :math:`e_i` the score of unit :math:`i` and :math:`T_i \in \{0, 1\}`:

    ===========  ============================  ===========================================
    estimand     treated (:math:`T_i = 1`)     control (:math:`T_i = 0`)
    ===========  ============================  ===========================================
    ``"ATE"``    :math:`1/e_i`                 :math:`1/(1 - e_i)`
    ``"ATT"``    :math:`1`                     :math:`e_i/(1 - e_i)`
    ``"ATO"``    :math:`1 - e_i`               :math:`e_i`
    ===========  ============================  ===========================================

    Stabilised (``stabilize=True``, the default):

    * ATE: treated weights times :math:`\hat P(T = 1) = n_1/n`, control weights times
      :math:`\hat P(T = 0) = n_0/n` (Robins, Hernán & Brumback 2000; Xu et al. 2010), so the
      weights of each group sum to about its size;
    * ATT: control weights rescaled to sum to the number of controls :math:`n_0`:
      :math:`w_i = n_0\,\frac{e_i/(1-e_i)}{\sum_{j: T_j = 0} e_j/(1-e_j)}`;
    * ATO: no change (overlap weights are bounded by 1 and need no stabilising).

    Applied in this order:

    1. ``trim=a`` (Crump et al. 2009): units with :math:`e_i \notin [a, 1 - a]` get weight 0
       (dropped, as WeightIt's ``trim(drop = TRUE)``); :math:`n_1, n_0` and the
       stabilising sums are then taken over the kept units.
    2. The weights of the table, stabilised or not.
    3. ``truncate=q``: weights are capped at their :math:`q`-th and :math:`(1 - q)`-th
       quantiles over the kept units (weights below the lower quantile are raised to it,
       those above the upper one lowered to it; quantiles by linear interpolation, R's
       ``quantile(type = 7)``). Truncation follows stabilisation.

    Parameters
    ----------
    ps
        Propensity scores, strictly between 0 and 1 (e.g. from :func:`propensity_scores`).
    treatment
        1 (treated) / 0 (control), or bool, aligned with ``ps``.
    estimand
        ``"ATE"`` (default), ``"ATT"`` or ``"ATO"``.
    stabilize
        Stabilise as above (default True).
    trim
        Drop units with a score outside ``[trim, 1 - trim]``; in (0, 0.5). Default: none.
    truncate
        Cap weights at their ``truncate`` and ``1 - truncate`` quantiles; in (0, 0.5), e.g.
        0.01 for the 1st/99th percentiles. Default: none.

    Returns
    -------
    ndarray
        One weight per unit, >= 0 (0 exactly for trimmed units).

    Notes
    -----
    R: WeightIt ``weightit(method = "glm", estimand=, stabilize=)`` and ``trim()``, or by
    hand from ``glm``; SAS ``PROC CAUSALTRT METHOD=IPWR`` (ATE/ATT weights), ``PROC PSMATCH
    PSWEIGHT WEIGHT=ATEWGT|ATTWGT`` with ``TRIM``; Stata ``teffects ipw`` (ATE/ATET, not
    stabilised), ``psweight``; SPSS: computed from the saved scores with ``COMPUTE``.
    """
    e, t = _as_scores(ps, treatment)
    if estimand not in ESTIMANDS:
        raise ValueError(f"unknown estimand {estimand!r}; choose one of {', '.join(ESTIMANDS)}")
    trim = _check_fraction("trim", trim, 0.5)
    truncate = _check_fraction("truncate", truncate, 0.5)
    keep = np.ones(e.size, dtype=bool) if trim is None else (e >= trim) & (e <= 1.0 - trim)
    treated = keep & (t == 1.0)
    control = keep & (t == 0.0)
    if not treated.any() or not control.any():
        raise ValueError("after trimming, a treatment group has no units left")
    w = np.zeros(e.size)
    if estimand == "ATE":
        w[treated] = 1.0 / e[treated]
        w[control] = 1.0 / (1.0 - e[control])
        if stabilize:
            n_kept = keep.sum()
            w[treated] *= treated.sum() / n_kept
            w[control] *= control.sum() / n_kept
    elif estimand == "ATT":
        w[treated] = 1.0
        w[control] = e[control] / (1.0 - e[control])
        if stabilize:
            w[control] *= control.sum() / w[control].sum()
    else:  # ATO
        w[treated] = 1.0 - e[treated]
        w[control] = e[control]
    if truncate is not None:
        lo, hi = np.quantile(w[keep], [truncate, 1.0 - truncate])
        w[keep] = np.clip(w[keep], lo, hi)
    return w
