"""Confidence intervals for a binomial proportion (e.g. objective response rate).

One function, :func:`proportion_ci`, with the seven intervals in common use in
oncology reporting. The point estimate is always ``successes / n``; only the
interval depends on ``method``.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

from oncocohort.stats._dist import beta_isf, beta_ppf, norm_isf
from oncocohort.stats._results import Estimate

__all__ = ["PROPORTION_CI_METHODS", "proportion_ci"]

PROPORTION_CI_METHODS: tuple[str, ...] = (
    "clopper-pearson",
    "wilson",
    "wilson-cc",
    "jeffreys",
    "agresti-coull",
    "wald",
    "wald-cc",
)


def _check_count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral | Real):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if isinstance(value, Real) and not isinstance(value, Integral):
        if not math.isfinite(float(value)) or float(value) != int(value):
            raise ValueError(f"{name} must be a whole number, got {value!r}")
    return int(value)


def _clip(lower: float, upper: float) -> tuple[float, float]:
    return max(lower, 0.0), min(upper, 1.0)


def _clopper_pearson(x: int, n: int, alpha: float) -> tuple[float, float]:
    lower = 0.0 if x == 0 else float(beta_ppf(alpha / 2, x, n - x + 1))
    upper = 1.0 if x == n else float(beta_isf(alpha / 2, x + 1, n - x))
    return lower, upper


def _jeffreys(x: int, n: int, alpha: float) -> tuple[float, float]:
    lower = 0.0 if x == 0 else float(beta_ppf(alpha / 2, x + 0.5, n - x + 0.5))
    upper = 1.0 if x == n else float(beta_isf(alpha / 2, x + 0.5, n - x + 0.5))
    return lower, upper


def _wilson_bound(p: float, n: int, z: float, sign: float) -> float:
    z2n = z * z / n
    centre = p + z2n / 2
    half = z * math.sqrt(p * (1 - p) / n + z2n / (4 * n))
    return (centre + sign * half) / (1 + z2n)


def _wilson(x: int, n: int, z: float) -> tuple[float, float]:
    p = x / n
    # exactly 0 at x = 0 and 1 at x = n (the formula leaves +-1e-18 of rounding there)
    lower = 0.0 if x == 0 else _wilson_bound(p, n, z, -1.0)
    upper = 1.0 if x == n else _wilson_bound(p, n, z, 1.0)
    return _clip(lower, upper)


def _wilson_cc(x: int, n: int, z: float) -> tuple[float, float]:
    # R prop.test(correct = TRUE): the correction is min(1/2, |x - n/2|) / n,
    # i.e. it shrinks to 0 when x is within 1/2 of the null value n * 0.5.
    cc = min(0.5, abs(x - n * 0.5)) / n
    p = x / n
    p_low, p_up = p - cc, p + cc
    lower = 0.0 if p_low <= 0 else _wilson_bound(p_low, n, z, -1.0)
    upper = 1.0 if p_up >= 1 else _wilson_bound(p_up, n, z, 1.0)
    return _clip(lower, upper)


def _agresti_coull(x: int, n: int, z: float) -> tuple[float, float]:
    n_t = n + z * z
    p_t = (x + z * z / 2) / n_t
    half = z * math.sqrt(p_t * (1 - p_t) / n_t)
    return _clip(p_t - half, p_t + half)


def _wald(x: int, n: int, z: float, correct: bool) -> tuple[float, float]:
    p = x / n
    half = z * math.sqrt(p * (1 - p) / n) + (0.5 / n if correct else 0.0)
    return _clip(p - half, p + half)


def proportion_ci(
    successes: int,
    n: int,
    *,
    method: str = "clopper-pearson",
    conf_level: float = 0.95,
) -> Estimate:
    r"""Point estimate and two-sided confidence interval for a binomial proportion.

    Parameters
    ----------
    successes
        Number of successes :math:`x` (e.g. responders), ``0 <= x <= n``.
    n
        Number of trials (subjects in the denominator), ``n >= 1``.
    method
        One of ``"clopper-pearson"`` (default), ``"wilson"``, ``"wilson-cc"``,
        ``"jeffreys"``, ``"agresti-coull"``, ``"wald"``, ``"wald-cc"``.
    conf_level
        Two-sided confidence level, in (0, 1).

    Returns
    -------
    Estimate
        ``estimate`` :math:`\hat p = x/n`, ``lower``, ``upper``, ``conf_level``.

    Notes
    -----
    With :math:`\alpha = 1 - \text{conf\_level}`, :math:`z = \Phi^{-1}(1 - \alpha/2)`,
    :math:`\hat p = x/n`:

    ``clopper-pearson`` (exact; R ``binom.test``, SAS ``BINOMIAL(EXACT)``)
        :math:`[B(\alpha/2; x, n-x+1),\ B(1-\alpha/2; x+1, n-x)]` with :math:`B` the
        beta quantile; lower = 0 at :math:`x = 0`, upper = 1 at :math:`x = n`.
    ``wilson`` (score; R ``prop.test(correct=FALSE)``)
        :math:`\frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n}`.
    ``wilson-cc`` (R ``prop.test(correct=TRUE)``, tern ``"wilsonc"``)
        The Wilson bounds evaluated at :math:`\hat p \mp c/n` with
        :math:`c = \min(1/2, |x - n/2|)`; the lower bound is 0 when
        :math:`\hat p - c/n \le 0` and the upper is 1 when :math:`\hat p + c/n \ge 1`.
        The shrinking of :math:`c` near :math:`x = n/2` is R's behaviour, kept on purpose.
    ``jeffreys`` (equal-tailed Bayesian, Beta(1/2, 1/2) prior)
        :math:`[B(\alpha/2; x+\tfrac12, n-x+\tfrac12),\ B(1-\alpha/2; x+\tfrac12, n-x+\tfrac12)]`
        with the Brown, Cai & DasGupta (2001) boundary modification used by tern /
        DescTools: lower = 0 at :math:`x = 0` and upper = 1 at :math:`x = n` (R ``binom``
        ``method="bayes"`` does not modify the boundary).
    ``agresti-coull``
        :math:`\tilde n = n + z^2`, :math:`\tilde p = (x + z^2/2)/\tilde n`,
        :math:`\tilde p \pm z\sqrt{\tilde p(1-\tilde p)/\tilde n}`, **clipped** to [0, 1].
    ``wald``
        :math:`\hat p \pm z\sqrt{\hat p(1-\hat p)/n}`, **clipped** to [0, 1].
    ``wald-cc``
        :math:`\hat p \pm (z\sqrt{\hat p(1-\hat p)/n} + 1/2n)`, **clipped** to [0, 1].

    Clipping of the Wald-type intervals follows tern (``s_proportion``); without it
    they can leave [0, 1]. The Wald interval is degenerate (zero width) at
    :math:`x = 0` and :math:`x = n` and is not recommended (Brown, Cai & DasGupta 2001).

    References
    ----------
    Clopper & Pearson (1934) Biometrika 26:404. Wilson (1927) JASA 22:209.
    Agresti & Coull (1998) Am Stat 52:119. Brown, Cai & DasGupta (2001) Stat Sci 16:101.

    Examples
    --------
    >>> ci = proportion_ci(68, 73, method="wilson")
    >>> round(ci.estimate, 4), round(ci.lower, 4), round(ci.upper, 4)
    (0.9315, 0.8495, 0.9704)
    """
    x = _check_count(successes, "successes")
    n = _check_count(n, "n")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if x < 0:
        raise ValueError(f"successes must be non-negative, got {x}")
    if x > n:
        raise ValueError(f"successes ({x}) cannot exceed n ({n})")
    if not isinstance(conf_level, Real) or not 0 < float(conf_level) < 1:
        raise ValueError(f"conf_level must be in (0, 1), got {conf_level!r}")
    alpha = 1.0 - float(conf_level)
    z = float(norm_isf(alpha / 2))
    if method == "clopper-pearson":
        lower, upper = _clopper_pearson(x, n, alpha)
    elif method == "wilson":
        lower, upper = _wilson(x, n, z)
    elif method == "wilson-cc":
        lower, upper = _wilson_cc(x, n, z)
    elif method == "jeffreys":
        lower, upper = _jeffreys(x, n, alpha)
    elif method == "agresti-coull":
        lower, upper = _agresti_coull(x, n, z)
    elif method in ("wald", "wald-cc"):
        lower, upper = _wald(x, n, z, correct=method == "wald-cc")
    else:
        raise ValueError(
            f"unknown method {method!r}; choose one of {', '.join(PROPORTION_CI_METHODS)}"
        )
    return Estimate(x / n, float(lower), float(upper), float(conf_level))
