"""Number formatting shared by every table, figure label and sentence of the report, in one of
the journal house styles (``outputs.journal_style``).

Every number the report prints goes through a :class:`HouseStyle`: the decimal mark, the
separator of confidence-interval bounds and of ranges, the p-value rounding and where the
words "95% CI" go in a sentence; captions follow the journal too ("Table 1: " in the
Lancet, "Table 1. " elsewhere). The journal styles follow the definitions of R gtsummary's
``theme_gtsummary_journal()`` (gtsummary 2.x) for the elements it sets:

=========  ============  =============  ==========================================  ========
style      decimal mark  CI bounds      p-values                                    ranges
=========  ============  =============  ==========================================  ========
default    ``.``         ``4.1-6.9``    3 decimals; ``<0.001``                      ``-``
jama       ``.``         ``4.1 to 6.9`` 2 decimals from 0.10 (``>0.99``), else 3;   `` – ``
                                        ``<0.001``
nejm       ``.``         ``4.1 to 6.9`` as JAMA                                     `` – ``
lancet     ``·`` (mid)   ``4·1 to 6·9`` 2 decimals from 0.10 (``>0·99``), 3 from       `` – ``
                                        0.01, else 4; ``<0·0001``
=========  ============  =============  ==========================================  ========

Ranges (median (range), follow-up range) use an en dash with spaces in the journal styles,
as gtsummary's journal themes print an interquartile range. The Lancet prints the percent
sign in ``n (%)`` cells (``19 (21·8%)``), the others do not. In sentences, JAMA and NEJM put
a comma after the interval's name (``(95% CI, 13.7 to 32.0)``); the default and the Lancet
do not (``(95% CI 13·7 to 32·0)``). ``default`` is this package's own style (unchanged from
earlier releases), not gtsummary's default.

Conventions of every style: percentages with one decimal; times with one decimal (whole days);
hazard ratios with two. A median not reached, or an interval bound not estimable because
the curve never crosses 0.5, is shown as ``NR``; any other missing number as ``NE`` (not
estimable). Rounding is Python's formatting of the binary value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from oncocohort.canon.formats import DEFAULT_JOURNAL_STYLE

__all__ = ["MINUS", "HouseStyle", "STYLES", "DEFAULT_STYLE", "number_style", "fmt_num", "fmt_n_pct",
           "fmt_est_ci", "fmt_est_sd", "fmt_p", "fmt_median_range", "fmt_range", "fmt_count",
           "count_text", "fmt_ci"]


#: The minus sign of negative numbers (U+2212).
MINUS = "\u2212"


def _finite(x: float | None) -> bool:
    return x is not None and isinstance(x, int | float) and math.isfinite(x)


@dataclass(frozen=True)
class HouseStyle:
    """How a journal prints numbers and numbers its tables and figures.

    Attributes
    ----------
    name
        The style's name (``outputs.journal_style``).
    title
        The journal's name, for the methods paragraph.
    decimal_mark
        ``"."``, or ``"·"`` (the Lancet's mid-dot).
    ci_sep
        Between the bounds of a confidence interval (``"-"`` or ``" to "``).
    range_sep
        Between the ends of a range (``"-"`` or ``" – "``).
    p_rule
        ``"three"`` (3 decimals, ``<0.001``), ``"two"`` (gtsummary ``style_pvalue(digits =
        2)``) or ``"lancet"`` (gtsummary's Lancet p-value function).
    pct_sign
        Print ``%`` after the percentage of an ``n (%)`` cell.
    ci_comma
        In sentences, a comma after the interval's name: ``(95% CI, 4.1 to 6.9)``.
    caption_sep
        Between a table's or figure's number and its title (``"Table 1. "``, ``"Table 1: "``).
    """

    name: str
    title: str
    decimal_mark: str = "."
    ci_sep: str = "-"
    range_sep: str = "-"
    p_rule: Literal["three", "two", "lancet"] = "three"
    pct_sign: bool = False
    ci_comma: bool = False
    caption_sep: str = ". "

    def mark(self, text: str) -> str:
        """``text`` (a number formatted by Python) with the style's decimal mark."""
        return text if self.decimal_mark == "." else text.replace(".", self.decimal_mark)

    def ci_words(self, label: str) -> str:
        """The interval's name as a sentence introduces the bounds: ``"95% CI"`` or
        ``"95% CI,"``."""
        return label + ("," if self.ci_comma else "")


STYLES: Mapping[str, HouseStyle] = {
    "default": HouseStyle("default", "this package's default"),
    "jama": HouseStyle("jama", "JAMA", ci_sep=" to ", range_sep=" – ", p_rule="two",
                        ci_comma=True),
    "nejm": HouseStyle("nejm", "The New England Journal of Medicine", ci_sep=" to ",
                        range_sep=" – ", p_rule="two", ci_comma=True),
    "lancet": HouseStyle("lancet", "The Lancet", decimal_mark="·", ci_sep=" to ",
                          range_sep=" – ", p_rule="lancet", pct_sign=True, caption_sep=": "),
}

DEFAULT_STYLE: HouseStyle = STYLES[DEFAULT_JOURNAL_STYLE]


def number_style(name: str) -> HouseStyle:
    """The style called ``name`` (one of :data:`STYLES`)."""
    return STYLES[name]


def fmt_num(x: float | None, digits: int = 1, missing: str = "NE", *,
            style: HouseStyle = DEFAULT_STYLE) -> str:
    """``x`` with ``digits`` decimals (Python formatting of the binary value), else ``missing``.

    A negative number starts with the minus sign U+2212 (``"−7.8"``), as journals print it
    (and as no spreadsheet reads a formula); one that rounds to zero is ``0.0``.

    >>> fmt_num(5.55, 1), fmt_num(5.5, 1, style=STYLES["lancet"]), fmt_num(None)
    ('5.5', '5·5', 'NE')
    >>> fmt_num(-7.77), fmt_num(-0.04)
    ('−7.8', '0.0')
    """
    if not _finite(x):
        return missing
    text = f"{x:.{digits}f}"
    if text.startswith("-"):  # a true minus sign, as journals print it; "-0.0" is 0.0
        text = text[1:] if not text.strip("-0.") else MINUS + text[1:]
    return style.mark(text)


def count_text(n: int, k: int | None) -> str:
    """A count as printed: ``"<k"`` for 1 to ``k - 1`` under small-cell suppression."""
    return f"<{k}" if k is not None and 0 < n < k else str(n)


def fmt_count(n: float, noun: str, plural: str | None = None) -> str:
    """A count and its noun, singular for one: ``"1 patient"``, ``"8 patients"``,
    ``"0 validation warnings"`` (``plural`` when adding an s is wrong).

    >>> fmt_count(1, "patient"), fmt_count(8, "patient"), fmt_count(0, "analysis note")
    ('1 patient', '8 patients', '0 analysis notes')
    """
    word = noun if n == 1 else (plural or noun + "s")
    return f"{int(round(n))} {word}"


def fmt_n_pct(n: float, pct: float, digits: int = 1, *,
              style: HouseStyle = DEFAULT_STYLE) -> str:
    """``"8 (66.7)"`` (the Lancet: ``"8 (66·7%)"``)."""
    if not _finite(n):
        return "NE"
    sign = "%" if style.pct_sign and _finite(pct) else ""
    return f"{int(round(n))} ({fmt_num(pct, digits, style=style)}{sign})"


def fmt_est_ci(est: float, lower: float, upper: float, digits: int = 1,
               missing: str = "NE", *, style: HouseStyle = DEFAULT_STYLE,
               limits: tuple[str, str] | None = None) -> str:
    """``"5.5 (4.1-6.9)"`` (journal styles: ``"5.5 (4.1 to 6.9)"``); a bound that is not
    estimable prints as ``missing`` (``"6.0 (2.9-NR)"``), or as ``limits`` gives it for each
    bound (a median's limits: NR not reached, NE not estimable). An estimate that is not
    estimable is ``missing`` alone, never ``"NE (NE-NE)"``; an estimate whose interval is not
    estimable at either end (a survival of 100% before any event) is ``"100.0 (NE)"``.

    >>> fmt_est_ci(5.5, 4.1, 6.9), fmt_est_ci(float("nan"), float("nan"), float("nan"))
    ('5.5 (4.1-6.9)', 'NE')
    >>> fmt_est_ci(100.0, float("nan"), float("nan")), fmt_est_ci(6.0, 2.9, None, missing="NR")
    ('100.0 (NE)', '6.0 (2.9-NR)')
    >>> fmt_est_ci(3.9, None, None, missing="NR", limits=("NE", "NE"))
    '3.9 (NE)'
    """
    if not _finite(est):
        return missing
    lo_missing, hi_missing = limits if limits is not None else (missing, missing)
    if not _finite(lower) and not _finite(upper) and lo_missing == hi_missing:
        return f"{fmt_num(est, digits, style=style)} ({lo_missing})"
    interval = fmt_range(lower, upper, digits, style=style, sep=style.ci_sep,
                         limits=(lo_missing, hi_missing))
    return f"{fmt_num(est, digits, missing, style=style)} ({interval})"


def fmt_est_sd(est: float, sd: float, digits: int = 1, *,
               style: HouseStyle = DEFAULT_STYLE) -> str:
    """``"-7.8 (31.0)"``: a mean and its standard deviation (``NE`` when not estimable)."""
    return f"{fmt_num(est, digits, style=style)} ({fmt_num(sd, digits, style=style)})"


def fmt_range(lo: float, hi: float, digits: int = 1, missing: str = "NE", *,
              style: HouseStyle = DEFAULT_STYLE, sep: str | None = None,
              limits: tuple[str, str] | None = None) -> str:
    """``"23.0-82.0"`` (journal styles: ``"23.0 – 82.0"``): the ends of a range, joined by the
    style's range separator (``sep`` overrides it); a bare hyphen becomes ``" to "`` when an
    end is negative (``"-66.3 to 53.6"``, not ``"-66.3-53.6"``). A missing end prints as
    ``missing``, or as ``limits`` gives it for each end."""
    sep = style.range_sep if sep is None else sep
    if sep == "-" and ((_finite(lo) and lo < 0) or (_finite(hi) and hi < 0)):
        sep = " to "
    lo_missing, hi_missing = limits if limits is not None else (missing, missing)
    return (f"{fmt_num(lo, digits, lo_missing, style=style)}{sep}"
            f"{fmt_num(hi, digits, hi_missing, style=style)}")


def fmt_ci(lower: float, upper: float, label: str, digits: int = 1, missing: str = "NE", *,
           style: HouseStyle = DEFAULT_STYLE, limits: tuple[str, str] | None = None,
           suffix: str = "") -> str:
    """``"(95% CI 13.7-32.0%)"``: an interval named ``label``, as the journal ``style`` names
    and joins it (``"(95% CI, 13.7 to 32.0%)"``), its missing ends as :func:`fmt_range` prints
    them, ``suffix`` after the upper end; an interval not estimable at either end (a survival
    of 100% before any event) is ``"(95% CI not estimable)"``, never ``"(95% CI NE-NE)"``.

    >>> fmt_ci(13.7, 32.0, "95% CI", suffix="%"), fmt_ci(float("nan"), float("nan"), "95% CI")
    ('(95% CI 13.7-32.0%)', '(95% CI not estimable)')
    """
    if lower != lower and upper != upper:
        return f"({label} not estimable)"
    interval = fmt_range(lower, upper, digits, missing, style=style, sep=style.ci_sep,
                         limits=limits)
    return f"({style.ci_words(label)} {interval}{suffix})"


def fmt_median_range(median: float, lo: float, hi: float, digits: int = 1, *,
                     style: HouseStyle = DEFAULT_STYLE) -> str:
    """``"63.0 (23.0-82.0)"`` (journal styles: ``"63.0 (23.0 – 82.0)"``)."""
    return f"{fmt_num(median, digits, style=style)} ({fmt_range(lo, hi, digits, style=style)})"


def fmt_p(p: float, *, style: HouseStyle = DEFAULT_STYLE) -> str:
    """A p-value in the style's rounding; ``""`` when not computed.

    ``three``: ``"0.011"``, ``"<0.001"``. ``two`` (gtsummary ``style_pvalue(digits = 2)``):
    2 decimals when the value rounds to 0.10 or more (``">0.99"`` above 0.99), 3 down to
    0.001, else ``"<0.001"``. ``lancet``: as ``two`` down to 0.10, 3 decimals when it rounds
    to 0.010 or more, 4 down to 0.0001, else ``"<0·0001"``.

    >>> fmt_p(0.0004), fmt_p(0.1234, style=STYLES["jama"]), fmt_p(0.04567, style=STYLES["jama"])
    ('<0.001', '0.12', '0.046')
    >>> fmt_p(0.00567, style=STYLES["lancet"]), fmt_p(0.00004, style=STYLES["lancet"])
    ('0·0057', '<0·0001')
    """
    if not _finite(p):
        return ""
    if style.p_rule == "three":
        return style.mark("<0.001" if p < 0.0005 else f"{p:.3f}")
    if p > 0.99:
        return style.mark(">0.99")
    if float(f"{p:.2f}") >= 0.1:
        return style.mark(f"{p:.2f}")
    if style.p_rule == "two":
        return style.mark(f"{p:.3f}" if p >= 0.001 else "<0.001")
    if float(f"{p:.3f}") >= 0.01:
        return style.mark(f"{p:.3f}")
    return style.mark(f"{p:.4f}" if p >= 0.0001 else "<0.0001")


def fmt_p_clause(p: float, *, style: HouseStyle = DEFAULT_STYLE, name: str = "p") -> str:
    """A p-value in prose: ``"p = 0.011"``, ``"p < 0.001"``, ``"p > 0.99"``; ``""`` when not
    computed (never ``"p = <0.001"``).

    >>> fmt_p_clause(0.0112), fmt_p_clause(0.0004, name="Log-rank p")
    ('p = 0.011', 'Log-rank p < 0.001')
    >>> fmt_p_clause(0.995, style=STYLES["jama"])
    'p > 0.99'
    """
    text = fmt_p(p, style=style)
    if not text:
        return ""
    if text[0] in "<>":
        return f"{name} {text[0]} {text[1:]}"
    return f"{name} = {text}"
