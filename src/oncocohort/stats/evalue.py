"""E-values for a hazard ratio: how strong unmeasured confounding would have to be.

References
----------
VanderWeele TJ, Ding P (2017). Sensitivity analysis in observational research: introducing
the E-value. Ann Intern Med 167:268-274.
VanderWeele TJ (2020). Optimal approximate conversions of odds ratios and hazard ratios to
risk ratios. Biometrics 76:746-752 (the common-outcome HR conversion).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from numbers import Real

import pandas as pd

__all__ = ["EValue", "e_value"]


@dataclass(frozen=True)
class EValue:
    """Result of :func:`e_value`: the E-value of the point estimate and of the confidence
    limit closest to 1 (1 when the interval includes 1; NaN when that limit was not given)."""

    point: float
    ci: float

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(self)])


def _e(rr: float) -> float:
    """E-value of a risk ratio: RR* + sqrt(RR* (RR* - 1)), RR* = max(RR, 1/RR)."""
    r = rr if rr >= 1 else 1.0 / rr
    return r + math.sqrt(r * (r - 1.0))


def _to_rr(hr: float, rare_outcome: bool) -> float:
    if rare_outcome:
        return hr
    return (1.0 - 0.5 ** math.sqrt(hr)) / (1.0 - 0.5 ** math.sqrt(1.0 / hr))


def _check(name: str, value) -> float | None:
    if value is None:
        return None
    if not isinstance(value, Real) or not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def e_value(
    hr: float,
    lower: float | None = None,
    upper: float | None = None,
    *,
    rare_outcome: bool = True,
) -> EValue:
    r"""E-value of a hazard ratio and of its confidence interval (VanderWeele & Ding 2017).

    The E-value is the minimum strength of association, on the risk-ratio scale, that an
    unmeasured confounder would need with both the treatment and the outcome to explain the
    observed association away:

    .. math:: E = RR + \sqrt{RR\,(RR - 1)}, \qquad RR \ge 1,

    with :math:`RR` replaced by :math:`1/RR` when :math:`RR < 1`. The hazard ratio is taken
    as a risk ratio when the outcome is rare (``rare_outcome=True``: under 15 % by the end of
    follow-up); for a common outcome it is converted first (VanderWeele 2020):

    .. math:: RR = \frac{1 - 0.5^{\sqrt{HR}}}{1 - 0.5^{\sqrt{1/HR}}}.

    For the interval, the E-value of the limit closest to 1 (the lower limit when HR > 1, the
    upper when HR < 1), converted in the same way; 1 when the interval includes 1.

    Parameters
    ----------
    hr
        Hazard ratio (> 0).
    lower, upper
        Its confidence limits (optional).
    rare_outcome
        Whether the outcome is rare (default True, as R ``EValue::evalues.HR(rare = TRUE)``).

    Returns
    -------
    EValue
        ``point`` and ``ci`` (NaN when the limit closest to 1 was not given).

    Notes
    -----
    R ``EValue::evalues.HR(est, lo, hi, rare=)``; Stata ``evalue hr``; SAS and SPSS: by hand
    (the macro of Mathur et al. 2018 for SAS).

    Examples
    --------
    >>> e = e_value(3.9, 1.8, 8.7)  # VanderWeele & Ding 2017's breastfeeding example
    >>> round(e.point, 2), round(e.ci, 2)
    (7.26, 3.0)
    """
    hr_ = _check("hr", hr)
    lo = _check("lower", lower)
    hi = _check("upper", upper)
    if lo is not None and lo > hr_:
        raise ValueError(f"lower ({lo}) is above hr ({hr_})")
    if hi is not None and hi < hr_:
        raise ValueError(f"upper ({hi}) is below hr ({hr_})")
    point = _e(_to_rr(hr_, rare_outcome))
    if hr_ > 1.0:
        ci = math.nan if lo is None else (1.0 if lo <= 1.0 else _e(_to_rr(lo, rare_outcome)))
    elif hr_ < 1.0:
        ci = math.nan if hi is None else (1.0 if hi >= 1.0 else _e(_to_rr(hi, rare_outcome)))
    else:  # hr == 1: the interval (if any) includes 1
        ci = 1.0
    return EValue(point=point, ci=ci)
