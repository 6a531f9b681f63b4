"""The study spec as frozen pydantic models: one model per block of ``study.yaml``.

Every model is immutable and rejects unknown fields (``extra="forbid"``), so a typo in the
YAML is an error naming its path rather than a silently ignored option. Checks that need one
field only live here (allowed values, ascending cuts, known named dates); checks that need the
canonical data model or the file system live in :mod:`oncocohort.spec.checks` and
:mod:`oncocohort.spec.load`. ``docs/study-spec.md`` documents every field and its default.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from oncocohort.canon import conventions as _canon
from oncocohort.canon.codes import NAMED_DATES
from oncocohort.canon.conventions import (
    DEFAULT_RECORDS_AFTER_CUTOFF,
    CoxTies,
    DayCount,
    KmConfType,
    MedianCI,
    PartialDates,
    ProportionCI,
    RecordsAfterCutoff,
    ResponseDenominator,
    ScreenTest,
    TimeUnit,
)
from oncocohort.canon.formats import (
    DEFAULT_FIGURE_FORMATS,
    DEFAULT_JOURNAL_STYLE,
    DEFAULT_OUTPUT_FORMATS,
    FigureFormat,
    JournalStyle,
    OutputFormat,
)
from oncocohort.canon.sections import Section
from oncocohort.canon.schema import DATE_RANGE
from oncocohort.spec.comparisons import Comparisons
from oncocohort.spec.database import Database, OmopCohort

__all__ = [
    "Study",
    "Source",
    "WideSource",
    "Sources",
    "ResponseConventions",
    "Conventions",
    "Rule",
    "Cohort",
    "Endpoint",
    "SubgroupDerive",
    "Subgroup",
    "BaselineVariable",
    "BaselineBlock",
    "Variable",
    "Screen",
    "Safety",
    "Outputs",
    "StudySpec",
    "Regimen",
    "DrugPlan",
    "ReportedCohort",
    "ReportedStep",
    "RestrictedMean",
    "LandmarkAnalysis",
    "TimeVarying",
]

_CONVENTIONS = _canon.Conventions()  # the defaults, defined once in canon
_RESPONSE = _CONVENTIONS.response
_SCREEN = _canon.Screen()

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


#: The largest day count a spec may give (100 years): larger values are typos, and would
#: overflow date arithmetic.
MAX_DAYS = 36_500


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def _check_named_date(value: str) -> str:
    if value in NAMED_DATES:
        return value
    if value.startswith("patients."):
        column = value.removeprefix("patients.")
        if _IDENTIFIER.match(column):
            return value
        raise PydanticCustomError(
            "bad_patients_date", "'{value}' is not 'patients.<column>' with a column name",
            {"value": value},
        )
    raise PydanticCustomError(
        "unknown_date",
        "unknown date '{value}'; known dates: {known}, or patients.<column>",
        {"value": value, "known": ", ".join(NAMED_DATES)},
    )


NamedDate = Annotated[str, AfterValidator(_check_named_date)]


def _code_text(value: Any) -> Any:
    """User codes in ``values:`` are matched against cell text: ``1`` and ``"1"`` are one code."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return value


def _scalar(value: Any) -> Any:
    if value is not None and not isinstance(value, str | bool | int | float):
        raise PydanticCustomError(
            "not_a_code", "a code must be a single text, number or true/false"
        )
    return value


#: strptime codes a date layout may use (locale-independent in the CLI's default C locale).
_DATE_CODES = frozenset("YymdjbBaAHIMSfpzZ%")
_SAMPLE_DATE = dt.datetime(2001, 11, 23)


def _check_date_format(value: str | None) -> str | None:
    """A source's ``date_format`` must read back a date it writes: year, month and day."""
    if value is None:
        return None
    unknown = sorted({f"%{c}" for c in re.findall(r"%(.?)", value) if c not in _DATE_CODES})
    if unknown:
        raise PydanticCustomError(
            "bad_date_format",
            "date_format '{value}' uses {codes}, not a date code; use strptime codes such as "
            "%d/%m/%Y, %m/%d/%Y or %d.%m.%Y",
            {"value": value, "codes": ", ".join(unknown)},
        )
    try:
        ok = dt.datetime.strptime(_SAMPLE_DATE.strftime(value), value).date()
    except ValueError:
        ok = None
    if ok != _SAMPLE_DATE.date():
        raise PydanticCustomError(
            "bad_date_format",
            "date_format '{value}' does not give a whole date; it needs the year (%Y), the "
            "month (%m or %b) and the day (%d), e.g. %d/%m/%Y",
            {"value": value},
        )
    return value


def _check_encoding(value: str | None) -> str | None:
    """A source's ``encoding`` must name a text encoding Python knows (``gb18030``, ...)."""
    if value is None:
        return None
    try:
        known = codecs.lookup(value)._is_text_encoding  # base64, zlib, ... are not text
    except LookupError:
        known = False
    if not known:
        raise PydanticCustomError(
            "unknown_encoding",
            "unknown text encoding '{value}'; use one such as utf-8, gb18030, big5, latin-1 "
            "or cp1252", {"value": value})
    return value


UserCode = Annotated[str, BeforeValidator(_code_text)]
CanonicalCode = Annotated[Any, AfterValidator(_scalar)]


def _plausible_date(value: dt.date) -> dt.date:
    first, last = DATE_RANGE
    if not first <= value <= last:
        raise PydanticCustomError(
            "date_out_of_range", "the date must lie between {first} and {last}",
            {"first": first.isoformat(), "last": last.isoformat()})
    return value


class Study(_Frozen):
    """``study:``: name, data cut-off (and what a date after it is: an error, or truncated)
    and the wording of the index date for the methods text."""

    name: str
    data_cutoff: Annotated[dt.date, AfterValidator(_plausible_date)]
    records_after_cutoff: RecordsAfterCutoff = DEFAULT_RECORDS_AFTER_CUTOFF
    #: ``None``: "start of the studied regimen" when the spec describes a regimen or reads
    #: therapy records, else the neutral "index date" (:func:`index_date_label`).
    index_date_label: str | None = None


class Source(_Frozen):
    """One canonical table read from one file (and sheet, for workbooks).

    ``columns`` maps canonical column -> the user's column name; ``values`` maps, per canonical
    column, user code -> canonical code; ``header_row`` (CSV, XLSX) is the row holding the
    column names when an export puts a title above them; ``ignore_columns`` are columns of
    the file left unread (direct identifiers, free text, outcomes already computed), so that
    they reach no dataset. ``file`` is kept as written (for messages);
    :attr:`path` is the file resolved against the folder of the YAML file.
    """

    file: str = Field(min_length=1)
    sheet: str | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[UserCode, CanonicalCode]] = Field(default_factory=dict)
    date_format: Annotated[str | None, AfterValidator(_check_date_format)] = None
    encoding: Annotated[str | None, AfterValidator(_check_encoding)] = None
    header_row: int | None = Field(None, ge=1, le=1_000)
    ignore_columns: list[str] = Field(default_factory=list)
    _path: Path = PrivateAttr(default=None)  # type: ignore[assignment]

    @model_validator(mode="after")
    def _ignored_not_mapped(self) -> Source:
        both = sorted(set(self.ignore_columns) & set(self.columns.values()))
        if both:
            raise PydanticCustomError(
                "ignored_and_mapped", "column(s) {both} are both mapped in 'columns' and "
                "listed in 'ignore_columns'", {"both": ", ".join(f"'{c}'" for c in both)})
        return self

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> Source:
        base = (info.context or {}).get("base_dir") if info is not None else None
        self._path = Path(base) / self.file if base is not None else Path(self.file)
        return self

    @property
    def path(self) -> Path:
        """The file resolved against the folder of the spec (``file`` if no folder given)."""
        return self._path


class WideSource(Source):
    """``sources.wide``: a one-row-per-patient hospital sheet unpivoted into canonical tables.

    ``columns`` maps patients columns (canonical or free covariates); ``ae_grades`` maps an
    adverse-event term to the column holding its worst grade (empty or 0: no event);
    ``ae_related`` says whether those events are treatment-related (``None``: not recorded).
    """

    ae_grades: dict[str, str] = Field(default_factory=dict)
    ae_related: bool | None = None


class Sources(_Frozen):
    """``sources:``: each canonical table from one file/sheet, or absent."""

    patients: Source | None = None
    therapy: Source | None = None
    therapy_lines: Source | None = None
    lesions: Source | None = None
    responses: Source | None = None
    adverse_events: Source | None = None
    wide: WideSource | None = None

    @model_validator(mode="after")
    def _needs_patients(self) -> Sources:
        if self.patients is None and self.wide is None:
            raise PydanticCustomError(
                "no_patients", "sources must include 'patients' (or a 'wide' patient sheet)"
            )
        return self

    def items(self) -> list[tuple[str, Source]]:
        """The sources given, as ``(name, source)`` in YAML field order (``wide`` last)."""
        out = []
        for name in type(self).model_fields:
            src = getattr(self, name)
            if src is not None:
                out.append((name, src))
        return out


class ResponseConventions(_Frozen):
    """``conventions.response``: best overall response rules (RECIST 1.1 section 4.4)."""

    confirmation: bool = _RESPONSE.confirmation
    confirmation_days: int = Field(_RESPONSE.confirmation_days, ge=0, le=MAX_DAYS)
    sd_min_days: int = Field(_RESPONSE.sd_min_days, ge=0, le=MAX_DAYS)
    max_ne_between: int = Field(_RESPONSE.max_ne_between, ge=0, le=100)
    denominator: ResponseDenominator = _RESPONSE.denominator


def _median_ci(value: Any) -> Any:
    """``null`` (the spec's earlier spelling of the default) is Brookmeyer-Crowley."""
    return _CONVENTIONS.median_ci if value is None else value


class Conventions(_Frozen):
    """``conventions:``: every statistical and derivation convention, stated in the report.

    The allowed values and defaults are :mod:`oncocohort.canon.conventions`.
    """

    time_unit: TimeUnit = _CONVENTIONS.time_unit
    days_per_month: float = Field(_CONVENTIONS.days_per_month, ge=28, le=31)
    day_count: DayCount = _CONVENTIONS.day_count
    partial_dates: PartialDates = _CONVENTIONS.partial_dates
    proportion_ci: ProportionCI = _CONVENTIONS.proportion_ci
    km_conf_type: KmConfType = _CONVENTIONS.km_conf_type
    median_ci: Annotated[MedianCI, BeforeValidator(_median_ci)] = _CONVENTIONS.median_ci
    cox_ties: CoxTies = _CONVENTIONS.cox_ties
    conf_level: float = Field(_CONVENTIONS.conf_level, gt=0, lt=1)
    response: ResponseConventions = Field(default_factory=ResponseConventions)
    treatment_emergent_days: int = Field(_CONVENTIONS.treatment_emergent_days, ge=0,
                                         le=MAX_DAYS)


class Rule(_Frozen):
    """One inclusion or exclusion step: a name, a rule expression, and its flowchart label."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    rule: str = Field(min_length=1)
    label: str | None = None


def _unique_rule_names(rules: list[Rule]) -> list[Rule]:
    seen: set[str] = set()
    for r in rules:
        if r.name in seen:
            raise PydanticCustomError(
                "duplicate_rule", "rule name '{name}' used twice", {"name": r.name}
            )
        seen.add(r.name)
    return rules


class ReportedStep(_Frozen):
    """One step of a flowchart reported for pre-selected data."""

    kind: Literal["inclusion", "exclusion"]
    label: str
    excluded: int = Field(ge=0)


class ReportedCohort(_Frozen):
    """``cohort.reported``: the screening counts, when the data hold only selected patients."""

    screened: int = Field(ge=1)
    steps: list[ReportedStep] = Field(default_factory=list)


class Cohort(_Frozen):
    """``cohort:``: inclusion steps then exclusion steps, applied in order; or, for data that
    come already selected, the counts the study reports (``reported``) for the flowchart."""

    inclusion: Annotated[list[Rule], AfterValidator(_unique_rule_names)] = Field(
        default_factory=list
    )
    exclusion: Annotated[list[Rule], AfterValidator(_unique_rule_names)] = Field(
        default_factory=list
    )
    reported: ReportedCohort | None = None

    @model_validator(mode="after")
    def _rules_or_reported(self) -> Cohort:
        if self.reported is not None and (self.inclusion or self.exclusion):
            raise PydanticCustomError(
                "rules_and_reported",
                "give either inclusion/exclusion rules or reported counts, not both",
            )
        return self


class RestrictedMean(_Frozen):
    """``endpoints.<name>.rmst``: the restricted mean survival time up to ``tau`` (in the
    time unit); for an endpoint with competing events, the restricted mean time lost to the
    event of interest. ``tau`` must lie within the follow-up (checked on the data)."""

    tau: float = Field(gt=0)


class Endpoint(_Frozen):
    """A time-to-event endpoint as data: a start date, event dates and censoring dates.

    The event date is the earliest of ``events``; without one the subject is censored at the
    latest of ``censor`` (admiral ``event_source()`` / ``censor_source()``). ``competing``
    names the dates of competing events (e.g. ``[death]`` for time to progression): a
    competing event before the event of interest ends the subject's follow-up as a competing
    event, and the endpoint is analysed as a competing risk (cumulative incidence, Gray's
    test, Fine-Gray). ``rmst`` asks for the restricted mean survival time.
    """

    label: str
    start: NamedDate = "index"
    start_label: str | None = None
    events: list[NamedDate] = Field(min_length=1)
    censor: list[NamedDate] = Field(min_length=1)
    competing: list[NamedDate] = Field(default_factory=list)
    rmst: RestrictedMean | None = None
    population: Literal["all", "responders"] = "all"
    missed_assessments: int | None = Field(None, ge=1, le=100)
    assessment_interval_days: float | None = Field(None, gt=0, le=MAX_DAYS)
    censor_at_new_therapy: bool = False

    @model_validator(mode="after")
    def _interval_with_missed(self) -> Endpoint:
        if self.missed_assessments is not None and self.assessment_interval_days is None:
            raise PydanticCustomError(
                "interval_needed",
                "missed_assessments needs assessment_interval_days (the planned days between "
                "tumour assessments, e.g. 42)",
            )
        overlap = sorted(set(self.events) & set(self.competing))
        if overlap:
            raise PydanticCustomError(
                "competing_is_event",
                "{dates} cannot be both an event and a competing event",
                {"dates": ", ".join(overlap)},
            )
        return self


class LandmarkAnalysis(_Frozen):
    """``landmark_analyses[i]``: an endpoint compared by a status acquired during follow-up
    (the dated event ``status``, e.g. ``first_response``), among the patients still at risk
    at each time of ``at`` (in the time unit), the clock restarted there (Anderson, Cain &
    Gelber 1983)."""

    endpoint: str
    at: list[Annotated[float, Field(gt=0)]] = Field(min_length=1)
    status: NamedDate = "first_response"
    label: str = "Response"


class TimeVarying(_Frozen):
    """``time_varying[i]``: a status acquired during follow-up (the dated event ``status``)
    as a time-varying covariate of an endpoint: Cox on (start, stop] rows, the Mantel-Byar
    test and Simon-Makuch curves."""

    endpoint: str
    status: NamedDate = "first_response"
    label: str = "Response"


class SubgroupDerive(_Frozen):
    """Cut a numeric variable into groups at ``cut`` points; groups are closed on the left.

    ``cut`` are ascending break points and each group is ``cut[i-1] <= x < cut[i]`` (so
    ``age >= 65`` is the upper group of ``cut: [65]``, as clinical tables write it). With
    ``len(cut) + 1`` labels the first group is ``x < cut[0]``; with ``len(cut)`` labels
    ``cut[0]`` is the lowest value of the first group and smaller values get no group. So
    ``{cut: [65], labels: ["<65", ">=65"]}`` and ``{cut: [0, 1], labels: ["0", "1-2"]}`` (ECOG
    0 and ECOG >= 1) both read as written. R: ``cut(x, c(-Inf, cut, Inf), right = FALSE)``.
    """

    from_: str = Field(alias="from")
    cut: list[float] = Field(min_length=1)
    labels: list[str]

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _check_cuts(self) -> SubgroupDerive:
        if any(b <= a for a, b in zip(self.cut, self.cut[1:], strict=False)):
            raise PydanticCustomError("cuts_not_ascending", "cut points must be ascending")
        if len(self.labels) not in (len(self.cut), len(self.cut) + 1):
            raise PydanticCustomError(
                "labels_count",
                "{n} cut points take {n} or {k} labels but {m} are given",
                {"n": len(self.cut), "k": len(self.cut) + 1, "m": len(self.labels)},
            )
        return self

    def groups(self) -> list[tuple[float, float, str]]:
        """``(lower, upper, label)`` per group, ``lower <= x < upper`` (``-inf``/``inf`` ends)."""
        inf = float("inf")
        edges = list(self.cut) + [inf]
        if len(self.labels) == len(self.cut) + 1:
            edges = [-inf] + edges
        return [(edges[i], edges[i + 1], label) for i, label in enumerate(self.labels)]


class DrugPlan(_Frozen):
    """How one drug of the studied regimen is planned (for dose intensity and delays)."""

    kind: Literal["daily", "infusion"] = "infusion"
    dose: float | None = Field(None, gt=0)
    days_on: int | None = Field(None, ge=1, le=MAX_DAYS)
    cycle_days: int | None = Field(None, ge=1, le=MAX_DAYS)


class Regimen(_Frozen):
    """``regimen:``: the studied regimen's cycle and drugs (exposure derivation)."""

    cycle_days: int = Field(21, ge=1, le=MAX_DAYS)
    delay_days: float = Field(7, ge=0, le=MAX_DAYS)
    drugs: dict[str, DrugPlan] = Field(default_factory=dict)


class Subgroup(_Frozen):
    """A baseline variable for the subgroup table; ``derive`` makes it from a numeric one, or
    ``continuous`` enters a numeric one in the Cox models as it is (hazard ratio per ``per``
    units, e.g. age per 10 years)."""

    variable: str
    label: str | None = None
    derive: SubgroupDerive | None = None
    continuous: bool = False
    per: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _cut_or_continuous(self) -> Subgroup:
        if self.derive is not None and self.continuous:
            raise PydanticCustomError(
                "cut_and_continuous",
                "a subgroup is either cut into groups ('derive') or entered as a continuous "
                "variable ('continuous: true'), not both")
        if self.per is not None and not self.continuous:
            raise PydanticCustomError(
                "per_needs_continuous",
                "'per' (the units of one hazard ratio) needs 'continuous: true'")
        return self


class BaselineVariable(_Frozen):
    """A Table 1 row block with its own label or grouping (``derive``: cut points, as a
    subgroup's), without being a subgroup of Table 2."""

    variable: str
    label: str | None = None
    derive: SubgroupDerive | None = None


class BaselineBlock(_Frozen):
    """Yes/no variables shown together in Table 1 under one heading, one "yes" row each
    (labelled with the variable's label)."""

    block: str = Field(min_length=1)
    variables: list[str] = Field(min_length=1)


BaselineItem = str | BaselineVariable | BaselineBlock

_SUMMARIES = Literal["median_range", "median_iqr", "mean_sd"]


class Variable(_Frozen):
    """``variables.<name>``: how one variable is shown and modelled.

    ``values`` maps a code (as in the data, after the source's recoding) to its label and
    gives the level order as written (a list gives the order only); ``order: frequency`` puts
    the most frequent level first instead. ``reference`` is the reference level of its Cox
    terms (a code or a label; default: the first level in that order). ``summary`` and
    ``digits`` say how Table 1 summarises a continuous variable, ``unit`` its unit;
    ``yes_only`` shows a yes/no variable as one "yes" row.
    """

    label: str | None = None
    values: dict[UserCode, str] | list[UserCode] | None = None
    order: Literal["declared", "frequency"] = "declared"
    reference: UserCode | None = None
    summary: _SUMMARIES | None = None
    digits: int | None = Field(None, ge=0, le=6)
    unit: str | None = None
    yes_only: bool = False

    @model_validator(mode="after")
    def _distinct_labels(self) -> Variable:
        if isinstance(self.values, dict):
            labels = list(self.values.values())
            doubled = sorted({x for x in labels if labels.count(x) > 1})
            if doubled:
                raise PydanticCustomError(
                    "label_twice", "the label(s) {labels} are given to more than one code",
                    {"labels": ", ".join(doubled)})
        return self


class Screen(_Frozen):
    """``screen:``: univariable screen for the multivariable Cox model."""

    threshold: float = Field(_SCREEN.threshold, gt=0, le=1)
    p_from: ScreenTest = _SCREEN.p_from


class Safety(_Frozen):
    """``safety:``: AE term synonyms, term groups, regimen drugs and immune-related terms."""

    synonyms: dict[str, str] = Field(default_factory=dict)
    groups: dict[str, list[str]] = Field(default_factory=dict)
    regimen_drugs: list[str] = Field(default_factory=list)
    immune_related: list[str] = Field(default_factory=list)


class KmFigures(_Frozen):
    """``outputs.km:``: what the Kaplan-Meier figures draw besides the curves, the medians,
    the landmark rates and the numbers at risk, and which subgroup variables get curves
    (``by_subgroup``: those of the multivariable model, all, or none)."""

    ci_band: bool = False
    cumulative_events: bool = False
    by_subgroup: Literal["selected", "all", "none"] = "selected"


class Outputs(_Frozen):
    """``outputs:``: report formats (:mod:`oncocohort.canon.formats`), small-cell
    suppression, and the sections switched on or off (:mod:`oncocohort.canon.sections`:
    ``false`` leaves a section out; ``true`` requires its data; a section not named is shown
    when the data can fill it)."""

    formats: list[OutputFormat] = Field(default_factory=lambda: list(DEFAULT_OUTPUT_FORMATS))
    small_cell_k: int | None = Field(None, ge=1, le=1_000_000)
    sections: dict[Section, bool] = Field(default_factory=dict)
    journal_style: JournalStyle = DEFAULT_JOURNAL_STYLE
    figure_formats: list[FigureFormat] = Field(
        default_factory=lambda: list(DEFAULT_FIGURE_FORMATS))
    km: KmFigures = Field(default_factory=KmFigures)


class StudySpec(_Frozen):
    """The whole study spec. Build it with :func:`oncocohort.spec.load_spec`.

    The data come either from files (``sources:``) or from an OMOP CDM database (``database:``
    where it is, ``omop:`` the cohort definition evaluated there; see
    :mod:`oncocohort.spec.database`). With ``omop:`` the inclusion and exclusion rules are
    ``omop.inclusion``/``omop.exclusion``, so ``cohort:`` stays empty.
    """

    study: Study
    sources: Sources | None = None
    database: Database | None = None
    omop: OmopCohort | None = None
    conventions: Conventions = Field(default_factory=Conventions)
    cohort: Cohort = Field(default_factory=Cohort)
    endpoints: dict[str, Endpoint] = Field(default_factory=dict)
    regimen: Regimen | None = None
    baseline: list[BaselineItem] = Field(default_factory=list)
    labels: dict[str, str] = Field(default_factory=dict)
    variables: dict[str, Variable] = Field(default_factory=dict)
    baseline_by: str | None = None
    landmarks: list[Annotated[float, Field(gt=0)]] = Field(default_factory=list)
    landmark_analyses: list[LandmarkAnalysis] = Field(default_factory=list)
    time_varying: list[TimeVarying] = Field(default_factory=list)
    subgroups: list[Subgroup] = Field(default_factory=list)
    screen: Screen = Field(default_factory=Screen)
    safety: Safety = Field(default_factory=Safety)
    outputs: Outputs = Field(default_factory=Outputs)
    comparisons: Comparisons = Field(default_factory=Comparisons)
    _spec_path: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _remember_path(self, info: ValidationInfo) -> StudySpec:
        path = (info.context or {}).get("spec_path") if info is not None else None
        self._spec_path = Path(path) if path is not None else None
        return self

    @model_validator(mode="after")
    def _one_kind_of_source(self) -> StudySpec:
        if (self.database is None) != (self.omop is None):
            raise PydanticCustomError(
                "database_and_omop",
                "'database' (where the OMOP CDM is) and 'omop' (the cohort definition) go "
                "together: give both or neither",
            )
        if self.sources is not None and self.omop is not None:
            raise PydanticCustomError(
                "sources_or_database",
                "give either 'sources' (data files) or 'database' and 'omop' (an OMOP CDM), "
                "not both",
            )
        if self.sources is None and self.omop is None:
            raise PydanticCustomError(
                "no_data",
                "the spec names no data: give 'sources' (data files) or 'database' and 'omop' "
                "(an OMOP CDM)",
            )
        c = self.cohort
        if self.omop is not None and (c.inclusion or c.exclusion or c.reported is not None):
            raise PydanticCustomError(
                "cohort_with_omop",
                "with 'omop' the cohort is defined by omop.inclusion and omop.exclusion and "
                "counted in the database: remove 'cohort'",
            )
        return self

    @model_validator(mode="after")
    def _known_endpoints(self) -> StudySpec:
        for block in ("landmark_analyses", "time_varying"):
            for i, item in enumerate(getattr(self, block)):
                if item.endpoint not in self.endpoints:
                    raise PydanticCustomError(
                        "unknown_endpoint",
                        "{block}[{i}].endpoint '{name}' is not an endpoint of the spec; "
                        "endpoints: {known}",
                        {"block": block, "i": i, "name": item.endpoint,
                         "known": ", ".join(self.endpoints) or "none"})
        return self

    @property
    def from_database(self) -> bool:
        """The data come from an OMOP CDM database (``database:`` and ``omop:``)."""
        return self.omop is not None

    @property
    def spec_path(self) -> Path | None:
        """The YAML file this spec was loaded from (``None`` if built in memory)."""
        return self._spec_path
