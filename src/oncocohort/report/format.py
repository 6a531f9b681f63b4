"""Number formatting shared by every table, figure label and sentence of the report.

Conventions: percentages with one decimal; times (months) with one decimal; hazard ratios with
two; p-values with three decimals, ``<0.001`` below that. A median not reached, or an interval
bound not estimable because the curve never crosses 0.5, is shown as ``NR``; any other missing
number as ``NE`` (not estimable).
"""

from __future__ import annotations

import math

__all__ = ["fmt_num", "fmt_n_pct", "fmt_est_ci", "fmt_p", "fmt_median_range"]


def _finite(x: float | None) -> bool:
    return x is not None and isinstance(x, int | float) and math.isfinite(x)


def fmt_num(x: float | None, digits: int = 1, missing: str = "NE") -> str:
    """``x`` with ``digits`` decimals (Python formatting of the binary value), else ``missing``."""
    if not _finite(x):
        return missing
    return f"{x:.{digits}f}"


def fmt_n_pct(n: float, pct: float, digits: int = 1) -> str:
    """``"8 (66.7)"``."""
    if not _finite(n):
        return "NE"
    return f"{int(round(n))} ({fmt_num(pct, digits)})"


def fmt_est_ci(est: float, lower: float, upper: float, digits: int = 1,
               missing: str = "NE") -> str:
    """``"5.5 (4.1-6.9)"``; bounds that are not estimable print as ``missing``."""
    return (f"{fmt_num(est, digits, missing)} ({fmt_num(lower, digits, missing)}-"
            f"{fmt_num(upper, digits, missing)})")


def fmt_median_range(median: float, lo: float, hi: float, digits: int = 1) -> str:
    """``"63.0 (23.0-82.0)"``."""
    return fmt_est_ci(median, lo, hi, digits)


def fmt_p(p: float) -> str:
    """``"0.011"``; ``"<0.001"``; ``""`` when not computed."""
    if not _finite(p):
        return ""
    return "<0.001" if p < 0.0005 else f"{p:.3f}"
