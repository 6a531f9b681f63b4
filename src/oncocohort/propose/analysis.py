"""The starting analysis a proposal suggests, and the choices a person makes about it.

From the columns found: the endpoints the data allow (overall survival; progression-free
survival when there is a progression date), landmarks at 12 and 24 months as far as the
follow-up reaches, Table 1 rows, and subgroups: sex, categorical covariates of 2-6 levels,
ECOG 0 versus 1 or more, numeric covariates (age included) cut at their median.
:class:`AnalysisChoices` holds what a person changed (the web app's analysis form); the
defaults are the suggestion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from oncocohort.propose.results import ColumnProposal, SheetProposal
from oncocohort.propose.roles import ROLES

__all__ = ["ENDPOINTS", "AnalysisChoices", "SubgroupProposal", "available_endpoints",
           "baseline_variables", "default_landmarks", "propose_subgroups"]

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
    """

    name: str | None = None
    data_cutoff: dt.date | None = None
    endpoints: tuple[str, ...] | None = None
    landmarks: tuple[float, ...] | None = None
    subgroups: tuple[str, ...] | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    journal_style: str | None = None


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
    return SubgroupProposal(f"{col.variable}_group", col.label or col.header,
                            col.variable or "", (float(median),),
                            (f"<{median:g}", f">={median:g}"), float(median))


def propose_subgroups(sheet: SheetProposal) -> tuple[SubgroupProposal, ...]:
    """The suggested subgroups, in sheet order."""
    out = []
    for col in sheet.columns:
        label = col.label or col.header
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


def baseline_variables(sheet: SheetProposal) -> tuple[str, ...]:
    """Table 1 rows: age, sex, ECOG and the covariates, in sheet order."""
    return tuple(c.variable for c in sheet.columns
                 if c.variable and (c.role in ("age", "sex", "ecog")
                                    or ROLES[c.role].group == "covariate"
                                    and c.role != "covariate_date"))
