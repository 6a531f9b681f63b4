"""Post-fit checks and tables of the Cox model: aliasing, variance, R's convergence checks.

Private module of :mod:`oncocohort.stats.cox`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._cox_chol import chol_solve
from ._dist import norm_isf, norm_sf

__all__ = [
    "aliased_columns",
    "coef_table",
    "convergence_messages",
    "infinite_terms",
    "score_statistic",
]


def aliased_columns(xc: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """Columns that are constant or a linear combination of earlier columns (R gives NA).

    ``xc`` is the centred design; a column is aliased when its residual sum of squares on
    the kept earlier columns is at most ``tol`` times its own sum of squares.
    """
    gram = xc.T @ xc
    p = gram.shape[0]
    keep: list[int] = []
    out = np.zeros(p, dtype=bool)
    for j in range(p):
        gjj = gram[j, j]
        if gjj <= 0:
            out[j] = True
            continue
        if keep:
            gk = gram[np.ix_(keep, keep)]
            gkj = gram[keep, j]
            resid = gjj - gkj @ np.linalg.solve(gk, gkj)
        else:
            resid = gjj
        if resid <= tol * gjj:
            out[j] = True
        else:
            keep.append(j)
    return out


def infinite_terms(res, var, eps: float, rule: str = "coxph") -> np.ndarray:
    """Which coefficients R would call possibly infinite (see :func:`convergence_messages`):
    a boolean mask over the fitted terms (all False when the fit did not converge)."""
    beta = np.asarray(res.beta, dtype=float)
    if not np.all(np.isfinite(var)) or not res.converged:
        return np.zeros(len(beta), dtype=bool)
    step = np.abs(res.score @ var)
    if rule == "agreg":
        return step > np.sqrt(eps) * (1 + np.abs(beta))
    return (step > eps) & (step > np.sqrt(eps) * np.abs(beta))


def convergence_messages(res, var, names, eps: float, rule: str = "coxph") -> list[str]:
    """R's checks: no convergence, or an infinite coefficient (monotone likelihood).

    After convergence, a coefficient is flagged when the next Newton step |U' V| still exceeds
    both eps and sqrt(eps) |beta| (``rule="coxph"``: R ``coxph.fit`` and ``agexact.fit``), or
    sqrt(eps) (1 + |beta|) (``rule="agreg"``: R ``agreg.fit``, counting-process data), although
    the log-likelihood has converged.
    """
    if not np.all(np.isfinite(var)):
        return []
    if not res.converged:
        return [f"Newton-Raphson did not converge in {res.iterations} iterations"]
    infinite = infinite_terms(res, var, eps, rule)
    if not infinite.any():
        return []
    return [
        f"log-likelihood converged before coefficient(s) of {', '.join(names[infinite])}; the "
        "coefficient may be infinite (monotone likelihood: the covariate separates events from "
        "non-events in the risk sets); its hazard ratio and CI are not reliable"
    ]


def coef_table(terms, alias, beta, var, conf_level, var_model=None) -> pd.DataFrame:
    """Coefficient table; ``se`` from ``var`` (robust or not), ``se_model`` from ``var_model``
    (the same as ``se`` when it is not given)."""
    se = np.sqrt(np.diag(var))
    zq = norm_isf((1 - conf_level) / 2)
    coef_all = np.full(len(terms), np.nan)
    se_all = coef_all.copy()
    se_model = coef_all.copy()
    coef_all[~alias], se_all[~alias] = beta, se
    se_model[~alias] = se if var_model is None else np.sqrt(np.diag(var_model))
    z = coef_all / se_all
    with np.errstate(over="ignore"):  # an infinite HR bound is the right answer when se is huge
        hr, lo, hi = (
            np.exp(coef_all),
            np.exp(coef_all - zq * se_all),
            np.exp(coef_all + zq * se_all),
        )
    return pd.DataFrame(
        {
            "coef": coef_all,
            "se": se_all,
            "hr": hr,
            "hr_lower": lo,
            "hr_upper": hi,
            "z": z,
            "p": 2 * norm_sf(np.abs(z)),
            "se_model": se_model,
        },
        index=pd.Index(terms, name="term"),
    )


def score_statistic(u0: np.ndarray, i0: np.ndarray, scale: np.ndarray) -> float:
    """Score test ``U(0)' I(0)^{-1} U(0)``, singular pivots ignored (as R's coxfit6)."""
    return float(u0 @ chol_solve(i0, u0, scale))
