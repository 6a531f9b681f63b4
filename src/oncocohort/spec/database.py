"""The ``database:`` and ``omop:`` blocks of the study spec: a cohort defined on an OMOP CDM.

``database:`` says where the OMOP tables are (a DuckDB file by default, a PostgreSQL URL or
``pyspark``); ``omop:`` defines the cohort: concept sets, the screened population (entry),
the index event, ordered inclusion/exclusion rules made of criteria, the lines-of-therapy
rules and the covariates of the patients table. Every model is frozen and rejects unknown
fields, like the rest of the spec. ``docs/omop.md`` documents each field with the demo's
values (``examples/escc-anlotinib-pd1/study-omop.yaml``).

Windows are ``[lo, hi]`` in days relative to the index date, both ends included, ``null`` for
unbounded: ``[-30, 0]`` is "within the 30 days before the index, index day included".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

__all__ = [
    "Database",
    "ConceptSet",
    "Window",
    "Criterion",
    "OmopRule",
    "Entry",
    "IndexEvent",
    "Lines",
    "Covariate",
    "OmopPatients",
    "OmopCohort",
]

_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


#: The largest day count (or window end) a spec may give: 100 years, as in ``spec/model.py``.
MAX_DAYS = 36_500
_Day = Annotated[int, Field(ge=-MAX_DAYS, le=MAX_DAYS)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Database(_Frozen):
    """``database:``: where the OMOP CDM tables are.

    ``url`` is ``duckdb:///path/to/file.duckdb`` (or a bare path ending in ``.duckdb``;
    relative paths are resolved against the folder of the YAML file), ``postgres://user@host/
    db``, or ``pyspark`` (a local Spark session; tables are read from the session's catalog
    or from ``parquet_dir``). ``schema`` is the CDM schema (PostgreSQL) when not the default.
    """

    url: str = Field(min_length=1)
    schema_: str | None = Field(default=None, alias="schema")
    parquet_dir: str | None = None
    _base: Path | None = PrivateAttr(default=None)

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _remember_base(self, info: ValidationInfo) -> Database:
        base = (info.context or {}).get("base_dir") if info is not None else None
        self._base = Path(base) if base is not None else None
        return self

    @property
    def base_dir(self) -> Path | None:
        return self._base


class ConceptSet(_Frozen):
    """Concept ids (with their descendants through ``concept_ancestor`` when ``descendants``
    and the vocabulary is present) plus source values for records without a standard concept
    (``drug_source_value`` etc. compared case-insensitively after trimming)."""

    concepts: list[int] = Field(default_factory=list)
    descendants: bool = True
    source_values: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> ConceptSet:
        if not self.concepts and not self.source_values:
            raise PydanticCustomError("empty_set", "a concept set needs concepts or "
                                      "source_values")
        return self


Window = tuple[_Day | None, _Day | None]
Domain = Literal["condition", "drug", "procedure", "measurement", "observation"]
Op = Literal["<", "<=", ">", ">=", "==", "!="]


class Comparison(_Frozen):
    op: Op
    value: float


class Criterion(_Frozen):
    """One condition a person meets or not, evaluated in the database.

    Exactly one of:

    * ``condition|drug|procedure|observation: <set>`` (with ``window``): at least
      ``min_count`` records of the set in the window;
    * ``measurement: <set>`` with ``value``: the latest measurement in the window (ties on the
      date: the largest ``measurement_id``) satisfies ``value``; no measurement = not met;
    * ``age: {op, value}``: completed years at the index date;
    * ``index_event: true``: the person has the index event (e.g. the regimen);
    * ``prior_lines: {op, value}``: number of lines of therapy started before the index,
      counting only lines followed by progression when ``progressed: true``;
    * ``observation_days_before: {op, value}``: days of the observation period before the
      index.
    """

    condition: str | None = None
    drug: str | None = None
    procedure: str | None = None
    observation: str | None = None
    measurement: str | None = None
    age: Comparison | None = None
    index_event: bool | None = None
    prior_lines: Comparison | None = None
    progressed: bool = False
    observation_days_before: Comparison | None = None
    window: Window = (None, 0)
    min_count: int = Field(default=1, ge=1)
    value: Comparison | None = None

    @property
    def kind(self) -> str:
        kinds = [k for k in ("condition", "drug", "procedure", "observation", "measurement",
                             "age", "index_event", "prior_lines", "observation_days_before")
                 if getattr(self, k) is not None]
        return kinds[0]

    @model_validator(mode="after")
    def _exactly_one(self) -> Criterion:
        kinds = [k for k in ("condition", "drug", "procedure", "observation", "measurement",
                             "age", "index_event", "prior_lines", "observation_days_before")
                 if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise PydanticCustomError("one_criterion", "a criterion has exactly one of "
                                      "condition, drug, procedure, observation, measurement, "
                                      "age, index_event, prior_lines, observation_days_before")
        if (self.measurement is None) != (self.value is None):
            raise PydanticCustomError("measurement_value", "'value' goes with 'measurement' "
                                      "(and a measurement criterion needs one)")
        lo, hi = self.window
        if lo is not None and hi is not None and lo > hi:
            raise PydanticCustomError("window", "window [lo, hi] needs lo <= hi")
        return self


class OmopRule(_Frozen):
    """A named step: the person meets the rule when every criterion of ``all_of`` holds."""

    name: str = Field(pattern=_NAME)
    label: str | None = None
    all_of: list[Criterion] = Field(min_length=1)


class Entry(_Frozen):
    """The screened population: persons with a record of ``condition`` (any time before the
    entry date) and an exposure to one of ``drugs`` starting within the study period. The
    screening date is the index event's date when the person has one, else the first such
    exposure."""

    condition: str
    drugs: list[str] = Field(min_length=1)
    study_start: dt.date
    study_end: dt.date


class IndexEvent(_Frozen):
    """The index event: the first exposure to ``anchor`` (in the study period) with an
    exposure to ``partner`` starting within ``within_days`` before or after it; the index
    date is the anchor's start date. ``partner_column`` names a patients column receiving the
    partner drug given at the index (the earliest within the window, ties by name);
    ``anchor_dose_column`` one receiving the anchor's dose (``quantity``) at the index."""

    anchor: str
    partner: str
    within_days: int = Field(default=21, ge=0, le=MAX_DAYS)
    partner_column: str | None = Field(default=None, pattern=_NAME)
    anchor_dose_column: str | None = Field(default=None, pattern=_NAME)


class Lines(_Frozen):
    """Lines of therapy: from the OMOP treatment episodes when the database has them, else
    derived from drug_exposure (and procedures).

    ``source`` chooses: ``episodes`` (the Oncology extension's ``episode`` /
    ``episode_event``), ``drug_exposure`` (the derivation below) or ``auto`` (default):
    episodes when at least one screened person has an episode of ``episode_concepts``, else
    drug_exposure. The choice is made once for the whole screened population, never mixed
    per person; the ``prior_lines`` criterion and every patients column below use the lines
    of the chosen source.

    Episodes: an episode whose ``episode_concept_id`` is in ``episode_concepts`` (default
    32531, "Treatment Regimen") is a line numbered ``episode_number`` (when missing: its rank
    by start date among the person's treatment episodes); its treatments are the
    ``drug_exposure`` / ``procedure_occurrence`` records linked by ``episode_event``
    (``episode_event_field_concept_id`` 1147094 / 1147082) that belong to ``drugs`` /
    ``procedures``. Line numbers are taken as recorded: the studied regimen's episode (its
    records are the ``therapy`` table) gives no row but keeps its number.

    drug_exposure:

    1. Exposures of ``drugs`` (and ``procedures``) are merged per drug into eras: an exposure
       starting at most ``gap_days`` after the end of the previous one of the same drug
       extends it (the OMOP drug-era persistence window).
    2. Eras sorted by start: an era starting more than ``grouping_window_days`` after the
       previous era's start opens a new line; otherwise it joins the current line.
    3. Exposures to the index regimen's sets on or after the index date are the studied
       regimen (the ``therapy`` table), not a line, but count as one in the numbering.

    Both sources: a line started before the index is ``prior``, after it ``subsequent``;
    ``progressed`` is true when a record of ``progression`` falls between the line's start and
    ``progression_window_days`` after its end (prior lines only).

    ``classes`` maps a drug class of the data model to a concept set; ``prior_flags`` maps a
    patients column to a class (yes/no: a prior line holds a drug of the class). The patients
    table also receives ``prior_lines`` (number of prior lines) and ``prior_failure`` (a prior
    line progressed).
    """

    source: Literal["auto", "episodes", "drug_exposure"] = "auto"
    episode_concepts: list[int] = Field(default_factory=lambda: [32531], min_length=1)
    drugs: str
    procedures: str | None = None
    grouping_window_days: int = Field(default=28, ge=0, le=MAX_DAYS)
    gap_days: int = Field(default=30, ge=0, le=MAX_DAYS)
    progression: str | None = None
    progression_window_days: int = Field(default=30, ge=0, le=MAX_DAYS)
    classes: dict[str, str] = Field(default_factory=dict)
    prior_flags: dict[str, str] = Field(default_factory=dict)


class Covariate(_Frozen):
    """A free column of the patients table computed in the database.

    ``exists``: yes/no, a record of the set in the window; ``count_distinct``: number of
    distinct concepts of the set in the window; ``categories``: label of the first set (in
    the order given) with a record in the window, empty if none.
    """

    domain: Domain = "condition"
    exists: str | None = None
    count_distinct: str | None = None
    categories: dict[str, str] | None = None
    window: Window = (None, 0)

    @model_validator(mode="after")
    def _one(self) -> Covariate:
        if sum(x is not None for x in (self.exists, self.count_distinct, self.categories)) != 1:
            raise PydanticCustomError("one_summary", "a covariate has exactly one of exists, "
                                      "count_distinct, categories")
        return self


class OmopPatients(_Frozen):
    """Where the canonical patients/treatment columns come from."""

    ecog: str | None = None
    ecog_window: Window = (-30, 0)
    last_alive: str | None = None
    end_of_treatment: str | None = None
    lesions: dict[Literal["TARGET", "NON-TARGET", "NEW"], str] = Field(default_factory=dict)
    adverse_event_type: int | None = None


class OmopCohort(_Frozen):
    """``omop:``: the cohort definition evaluated in the database.

    ``regimen_label`` fills a ``regimen`` column for persons with the index event;
    ``rule_columns`` maps a patients column to a rule name: yes/no, the rule's criteria met.
    """

    concept_sets: dict[str, ConceptSet]
    entry: Entry
    index: IndexEvent
    inclusion: list[OmopRule] = Field(default_factory=list)
    exclusion: list[OmopRule] = Field(default_factory=list)
    lines: Lines | None = None
    patients: OmopPatients = OmopPatients()
    covariates: dict[str, Covariate] = Field(default_factory=dict)
    regimen_label: str | None = None
    rule_columns: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_sets(self) -> OmopCohort:
        known = set(self.concept_sets)
        used = [self.entry.condition, *self.entry.drugs, self.index.anchor, self.index.partner]
        for r in (*self.inclusion, *self.exclusion):
            used += [getattr(c, c.kind) for c in r.all_of
                     if c.kind in ("condition", "drug", "procedure", "observation",
                                   "measurement")]
        if self.lines is not None:
            used += [self.lines.drugs, *self.lines.classes.values()]
            used += [x for x in (self.lines.procedures, self.lines.progression) if x]
        for cov in self.covariates.values():
            used += [x for x in (cov.exists, cov.count_distinct) if x]
            used += list((cov.categories or {}).values())
        p = self.patients
        used += [x for x in (p.ecog, p.last_alive, p.end_of_treatment) if x]
        used += list(p.lesions.values())
        rules = {r.name for r in (*self.inclusion, *self.exclusion)}
        bad_rules = sorted(set(self.rule_columns.values()) - rules)
        if bad_rules:
            raise PydanticCustomError("unknown_rule", "rule_columns names unknown rule(s): "
                                      "{names}", {"names": ", ".join(bad_rules)})
        unknown = sorted({u for u in used if u not in known})
        if unknown:
            raise PydanticCustomError("unknown_set", "unknown concept set(s): {names}",
                                      {"names": ", ".join(unknown)})
        names = [r.name for r in (*self.inclusion, *self.exclusion)]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise PydanticCustomError("duplicate_rule", "rule name(s) used twice: {names}",
                                      {"names": ", ".join(dup)})
        return self
