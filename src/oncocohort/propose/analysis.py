"""The starting analysis a proposal suggests, and the choices a person makes about it.

From the columns found: the endpoints the data allow (overall survival; progression-free
survival when there is a progression date), landmarks at 12 and 24 months as far as the
follow-up reaches, Table 1 rows, and subgroups: sex, categorical covariates of 2-6 levels,
ECOG 0 versus 1 or more, numeric covariates (age included) cut at their median; the levels
of the categorical Table 1 rows with the workbook's own words as their display labels.
:class:`AnalysisChoices` holds what a person changed (the web app's analysis form and code
tables); the defaults are the suggestion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from oncocohort.propose._canon import SEX_CODES
from oncocohort.propose.results import ColumnProposal, SheetProposal
from oncocohort.propose.roles import ROLES

__all__ = ["ENDPOINTS", "AnalysisChoices", "SubgroupProposal", "available_endpoints",
           "baseline_variables", "categorical_levels", "cut_levels", "default_landmarks",
           "propose_subgroups"]

#: The words of the sex codes where the cells hold only codes (M/F, 1/2), per language.
SEX_WORDS: dict[str, dict[str, str]] = {"en": {"M": "Male", "F": "Female"},
                                        "zh": {"M": "男", "F": "女"}}

_MAX_SUBGROUP_LEVELS = 6
_DAYS_PER_MONTH = 30.4375

#: Endpoint name -> (label, events, censoring dates) of a one-row-per-patient sheet.
ENDPOINTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "os": ("Overall survival", ("death",), ("last_alive",)),
    "pfs": ("Progression-free survival", ("progression", "death"), ("last_alive",)),
}


@dataclass(frozen=True)
class SubgroupProposal:
    """One subgroup variable: its name, label, how it is cut (if numeric) and why.

    ``cut``/``labels`` follow ``subgroups[].derive`` of the spec; ``median`` is set when the
    cut is at the median (said in the spec's comment); ``source`` is the column's variable.
    """

    variable: str
    label: str
    source: str
    cut: tuple[float, ...] = ()
    labels: tuple[str, ...] = ()
    median: float | None = None


@dataclass(frozen=True)
class AnalysisChoices:
    """What a person chose; ``None`` keeps the suggestion.

    Attributes
    ----------
    name, data_cutoff
        The study's title and its data cut-off.
    endpoints
        Endpoints to analyse (keys of :data:`ENDPOINTS` the data allow).
    landmarks
        Times (months) at which survival is reported.
    subgroups
        Subgroup variables to analyse (names of :func:`propose_subgroups`).
    labels
        Display label per variable (subgroups and Table 1 rows).
    journal_style
        The report's house style (:data:`oncocohort.canon.formats.JOURNAL_STYLES`).
    references
        Reference level (a code of :func:`categorical_levels`) of a variable's Cox terms.
    values
        Display label per level (code -> label) of a categorical variable, where it differs
        from the suggestion of :func:`categorical_levels`.
    """

    name: str | None = None
    data_cutoff: dt.date | None = None
    endpoints: tuple[str, ...] | None = None
    landmarks: tuple[float, ...] | None = None
    subgroups: tuple[str, ...] | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    journal_style: str | None = None
    references: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def available_endpoints(sheet: SheetProposal) -> tuple[str, ...]:
    """The endpoints the columns allow: OS always, PFS with a progression date."""
    return ("os", "pfs") if sheet.first("progression_date") else ("os",)


def _follow_up_months(sheet: SheetProposal) -> float | None:
    start, last = sheet.first("index_date"), sheet.first("last_alive_date")
    if not (start and last and start.content.dates and last.content.dates):
        return None
    a, b = start.content.dates.first, last.content.dates.last
    if a is None or b is None:
        return None
    return (b - a).days / _DAYS_PER_MONTH


def default_landmarks(sheet: SheetProposal) -> tuple[float, ...]:
    """12 and 24 months, each only if the longest follow-up reaches it."""
    span = _follow_up_months(sheet)
    return () if span is None else tuple(m for m in (12, 24) if span >= m)


def _median(col: ColumnProposal) -> float | None:
    n = col.content.numbers
    if n is None:
        return None
    return round(n.median) if n.integers or abs(n.median) >= 10 else round(n.median, 1)


def _numeric(col: ColumnProposal) -> SubgroupProposal | None:
    median, n = _median(col), col.content.numbers
    if median is None or n is None or not n.minimum < median <= n.maximum:
        return None
    return SubgroupProposal(f"{col.variable}_group", col.label or col.variable_label or col.header,
                            col.variable or "", (float(median),),
                            (f"<{median:g}", f">={median:g}"), float(median))


def propose_subgroups(sheet: SheetProposal) -> tuple[SubgroupProposal, ...]:
    """The suggested subgroups, in sheet order."""
    out = []
    for col in sheet.columns:
        label = col.label or col.variable_label or col.header
        if col.role == "sex":
            out.append(SubgroupProposal("sex", label, "sex"))
        elif col.role == "ecog" and col.content.numbers is not None:
            top = int(col.content.numbers.maximum)
            if top >= 1:
                out.append(SubgroupProposal("ecog_group", label, "ecog", (1.0,),
                                            ("0", "1" if top == 1 else f"1-{top}")))
        elif col.role in ("age", "covariate_number"):
            numeric = _numeric(col)
            if numeric is not None:
                out.append(numeric)
        elif col.role == "covariate" and 2 <= col.content.n_distinct <= _MAX_SUBGROUP_LEVELS:
            out.append(SubgroupProposal(col.variable or "", label, col.variable or ""))
    return tuple(out)


def cut_levels(sheet: SheetProposal) -> dict[str, tuple[tuple[str, str], ...]]:
    """The levels (code, label shown) of each suggested subgroup cut from a number (age, ECOG):
    its groups' labels, which are its codes."""
    return {sg.variable: tuple((label, label) for label in sg.labels)
            for sg in propose_subgroups(sheet) if sg.cut}


def baseline_variables(sheet: SheetProposal) -> tuple[str, ...]:
    """Table 1 rows: age, sex, ECOG and the covariates, in sheet order."""
    return tuple(c.variable for c in sheet.columns
                 if c.variable and (c.role in ("age", "sex", "ecog")
                                    or ROLES[c.role].group == "covariate"
                                    and c.role != "covariate_date"))


def _is_word(cell: str, code: str) -> bool:
    """Whether a cell says more than its code (``Male`` or ``男`` for ``M``; not ``M``, ``1``)."""
    text = cell.strip()
    return text.upper() != code.upper() and not text.replace(".", "", 1).isdigit()


def _sex_levels(col: ColumnProposal, lang: str) -> tuple[tuple[str, str], ...]:
    words = SEX_WORDS.get(lang, SEX_WORDS["en"])
    cells = col.codes or tuple((code, code) for code, _ in col.content.codes)
    out = []
    for code in SEX_CODES:
        own = [cell for cell, target in cells if target == code and _is_word(cell, code)]
        out.append((code, own[0] if len(own) == 1 else words[code]))
    return tuple(out)


def categorical_levels(sheet: SheetProposal, lang: str = "en"
                       ) -> dict[str, tuple[tuple[str, str], ...]]:
    """The categorical Table 1 variables: their levels and the display label of each.

    A level is a code as the data hold it after the source's ``values:`` recoding, in the
    order the report would show it without a declared order (sex: M, F, so Male is the
    reference, as papers print it; other columns: sorted, as the report sorts them). Its
    label is the workbook's own word: ``Male`` for ``M`` when the cells say ``Male``, ``男``
    when they say ``男``; where the cells hold only codes (``M``/``F``, ``1``/``2``), the
    usual word in ``lang`` (:data:`SEX_WORDS`). A categorical covariate's codes are its words.
    """
    baseline = set(baseline_variables(sheet))
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for col in sheet.columns:
        if not col.variable or col.variable not in baseline:
            continue
        if col.role == "sex":
            out[col.variable] = _sex_levels(col, lang)
        elif col.role == "covariate" and col.content.codes:
            out[col.variable] = tuple((code, code) for code in
                                      sorted(code for code, _ in col.content.codes))
    return out
