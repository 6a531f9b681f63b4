"""What the report needs besides the analysis results: :class:`ReportOptions`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from oncocohort.canon.conventions import (
    DEFAULT_RECORDS_AFTER_CUTOFF,
    Conventions,
    RecordsAfterCutoff,
    Screen,
)
from oncocohort.canon.formats import (
    DEFAULT_FIGURE_FORMATS,
    DEFAULT_JOURNAL_STYLE,
    DEFAULT_OUTPUT_FORMATS,
    FigureFormat,
    JournalStyle,
    OutputFormat,
)
from oncocohort.report.format import HouseStyle, number_style
from oncocohort.report.prose import in_prose

__all__ = ["MethodFacts", "ReportOptions", "VARIABLE_LABELS", "VariableDisplay"]

#: Display labels of the usual baseline variables; the spec's ``labels``, subgroup labels and
#: endpoint labels are added on top.
VARIABLE_LABELS: Mapping[str, str] = {
    "age": "Age (years)", "sex": "Sex", "ecog": "ECOG performance status",
    "n_prior_lines": "Number of prior lines", "prior_ici": "Prior ICI",
    "prior_taxane": "Prior taxane", "prior_platinum": "Prior platinum",
    "prior_targeted": "Prior targeted therapy",
}


@dataclass(frozen=True)
class VariableDisplay:
    """How Table 1 shows one variable (the spec's ``variables.<name>`` and ``baseline``).

    Attributes
    ----------
    summary
        A continuous variable's summary: ``median_range`` (default), ``median_iqr`` or
        ``mean_sd``.
    digits
        Decimals of that summary (``None``: one).
    yes_only
        A yes/no variable shown as one row, the count of ``yes_level``.
    yes_level
        The level counted by that row (its label: ``Yes`` unless the spec relabels it).
    block
        The heading of the block of yes rows the variable is shown in (``""``: none).
    unit
        The unit of a continuous variable (``years``), for the hazard ratio per units.
    """

    summary: Literal["median_range", "median_iqr", "mean_sd"] = "median_range"
    digits: int | None = None
    yes_only: bool = False
    yes_level: str = "Yes"
    block: str = ""
    unit: str = ""


_NO_DISPLAY = VariableDisplay()


@dataclass(frozen=True)
class MethodFacts:
    """What the methods paragraph says the code did, from the spec (no numbers: those are
    the ARD's).

    Attributes
    ----------
    endpoints
        Per endpoint ``(name, events, censor)``: the named dates that end it with an event and
        those it is censored at, in the spec's order.
    competing
        Per endpoint with competing events ``(name, events, competing)``: the named dates of
        the event of interest and of the competing events.
    subgroup_cuts
        Per subgroup variable cut from a numeric column ``(variable, source column, cut
        points, labels)``.
    regimen_drugs, term_groups, immune_related
        The safety mapping: the drugs an event may be attributed to, the names of the term
        groups, the CTCAE terms counted as immune-related.
    """

    endpoints: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()
    competing: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()
    subgroup_cuts: tuple[tuple[str, str, tuple[float, ...], tuple[str, ...]], ...] = ()
    regimen_drugs: tuple[str, ...] = ()
    term_groups: tuple[str, ...] = ()
    immune_related: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportOptions:
    """The study's facts the report states and how it presents the results.

    Attributes
    ----------
    title
        The study's name (the report's title).
    data_cutoff, index_date_label
        The data cut-off and the wording of the index date (``study:``), for the footnotes
        and the methods paragraph.
    conventions, screen
        The conventions and the Cox screen the analyses used (the same records as
        :class:`~oncocohort.analysis.options.AnalysisOptions`): every footnote and the methods
        paragraph state them (:mod:`oncocohort.report.wording`).
    cohort_source
        ``"files"`` or ``"omop"`` (the cohort was selected in an OMOP CDM database; the
        methods say so).
    labels
        Display label per variable and endpoint name (a name without one is shown as is).
    small_cell_k
        Counts from 1 to ``k - 1`` are shown as ``<k`` (``None``: no suppression).
    formats
        The report formats written (``outputs.formats``, :mod:`oncocohort.canon.formats`).
    subgroup_curves
        Kaplan-Meier curves by subgroup: of the variables that entered the multivariable
        model (``"selected"``, the ones the text discusses), of every variable, or none.
    journal_style
        The house style of every number, table and figure (``outputs.journal_style``:
        ``default``, ``jama``, ``lancet``, ``nejm``; :mod:`oncocohort.report.format`).
    figure_formats
        The figure files written (``outputs.figure_formats``: ``png``, ``svg``, ``pdf``).
    km_ci_band, km_cumulative_events
        The Kaplan-Meier figures shade each curve's pointwise confidence band; print the
        cumulative number of events under the numbers at risk (``outputs.km``).
    records_after_cutoff
        ``study.records_after_cutoff``: with ``truncate`` the methods say the data were taken
        as they stood at the cut-off.
    time_origins
        Endpoint name -> the wording of its time origin (``"date of diagnosis"``); an endpoint
        not in it is timed from the index date (:attr:`index_date_label`).
    variables
        Per variable, how Table 1 shows it (:class:`VariableDisplay`; a variable without
        one is shown by default).
    """

    title: str
    data_cutoff: dt.date
    index_date_label: str
    conventions: Conventions = field(default_factory=Conventions)
    screen: Screen = field(default_factory=Screen)
    cohort_source: Literal["files", "omop"] = "files"
    labels: Mapping[str, str] = field(default_factory=lambda: dict(VARIABLE_LABELS))
    small_cell_k: int | None = None
    formats: tuple[OutputFormat, ...] = DEFAULT_OUTPUT_FORMATS
    subgroup_curves: Literal["selected", "all", "none"] = "selected"
    journal_style: JournalStyle = DEFAULT_JOURNAL_STYLE
    figure_formats: tuple[FigureFormat, ...] = DEFAULT_FIGURE_FORMATS
    km_ci_band: bool = False
    km_cumulative_events: bool = False
    records_after_cutoff: RecordsAfterCutoff = DEFAULT_RECORDS_AFTER_CUTOFF
    time_origins: Mapping[str, str] = field(default_factory=dict)
    variables: Mapping[str, VariableDisplay] = field(default_factory=dict)
    facts: MethodFacts = field(default_factory=MethodFacts)

    @property
    def style(self) -> HouseStyle:
        """The number style of :attr:`journal_style`."""
        return number_style(self.journal_style)

    @property
    def time_digits(self) -> int:
        """Decimals of a time (a median, a follow-up): none in days (whole days: 310 days
        (95% CI 283-361), not 310.0), one in weeks, months and years."""
        return 0 if self.conventions.time_unit == "days" else 1

    def time_origin(self, endpoint: str) -> str:
        """The wording of the time origin of ``endpoint`` (the index date's by default)."""
        return self.time_origins.get(endpoint, self.index_date_label)

    def time_origins_text(self, endpoints: tuple[str, ...] | None = None) -> str:
        """``"the start of treatment"``, or, when the endpoints start at different dates,
        ``"the start of treatment (overall survival) and the date of diagnosis (OS from
        diagnosis)"``: the origins of ``endpoints`` (default: every endpoint named in
        :attr:`time_origins`, else the index date), the endpoints named in prose case."""
        names = tuple(self.time_origins) if endpoints is None else endpoints
        by_origin: dict[str, list[str]] = {}
        for name in names:
            by_origin.setdefault(self.time_origin(name), []).append(
                in_prose(self.label(name)))
        if len(by_origin) <= 1:
            return f"the {next(iter(by_origin), self.index_date_label)}"
        parts = [f"the {origin} ({', '.join(eps)})" for origin, eps in by_origin.items()]
        return ", ".join(parts[:-1]) + " and " + parts[-1]

    def display(self, name: str) -> VariableDisplay:
        """How Table 1 shows ``name``."""
        return self.variables.get(name, _NO_DISPLAY)

    def label(self, name: str) -> str:
        """The display label of ``name`` (``name`` itself when it has none)."""
        return self.labels.get(name, name)
