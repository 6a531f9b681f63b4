"""The study's options, typed: :class:`StudyOptions`, made from the spec in one place.

:meth:`StudyOptions.from_spec` is the only code below the CLI that reads a
:class:`~oncocohort.spec.model.StudySpec`. It hands each stage its own frozen options record
(defined in that stage, with the defaults of :mod:`oncocohort.canon.conventions`), so a
stage never sees the spec and a new option is added in three places: the spec's model, the
stage's record, and the line here that carries one to the other.

The blocks that describe where the data are (``sources:``, ``database:``, ``omop:``) are
frozen, validated spec models already; they are carried as they are (:class:`DataOptions`)
to the readers and the OMOP extraction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from oncocohort.analysis.baseline import default_baseline_variables
from oncocohort.analysis.comparison_options import ExternalArm, InternalComparison
from oncocohort.analysis.options import AnalysisOptions, LandmarkAnalysis, TimeVarying
from oncocohort.analysis.variables import VariableLevels
from oncocohort.canon import conventions as canon
from oncocohort.cohort.options import CohortOptions, ReportedCohort
from oncocohort.cohort.reported import ReportedStep
from oncocohort.cohort.rules import RuleSyntaxError, parse_rule
from oncocohort.cohort.select import Rule
from oncocohort.derive.endpoints import Endpoint, TimeOptions
from oncocohort.derive.exposure import DrugSchedule
from oncocohort.derive.recist import ResponseOptions
from oncocohort.derive.safety import SafetyOptions
from oncocohort.derive.study import DeriveOptions, RegimenOptions
from oncocohort.derive.subgroups import SubgroupCut
from oncocohort.model import ValidationOptions
from oncocohort.problems import InputError, Problem, did_you_mean
from oncocohort.report.options import (
    VARIABLE_LABELS,
    MethodFacts,
    ReportOptions,
    VariableDisplay,
)
from oncocohort.spec.database import Database, OmopCohort
from oncocohort.spec.comparisons import ExternalComparison
from oncocohort.spec.model import BaselineBlock, BaselineVariable, Sources, StudySpec

__all__ = ["DataOptions", "NamedVariable", "StudyOptions", "named_columns"]


@dataclass(frozen=True)
class NamedVariable:
    """A variable the spec names, which must be a column of the selected patients (after the
    subgroup variables are derived): its name, its YAML path, and what it is for
    (``"subgroup"``, ``"continuous"``: a subgroup entered in the Cox models as it is,
    ``"baseline"``, ``"cut"``: the numeric column subgroup ``derives`` is cut from,
    ``"reference"``: a variable whose Cox reference level ``reference`` the spec names, or
    ``"comparison"``: a comparison's group variable or adjuster)."""

    name: str
    location: str
    role: Literal["subgroup", "continuous", "baseline", "cut", "reference", "comparison"]
    derives: str = ""
    reference: str = ""


@dataclass(frozen=True)
class DataOptions:
    """Where the data are: the spec's ``sources:`` (files), or ``database:`` and ``omop:``
    (an OMOP CDM database and the cohort definition evaluated there); ``named``: every
    column the spec names outside the sources' mappings (:func:`named_columns`), the free
    patients columns that flow on from a file (the others are ignored)."""

    sources: Sources | None = None
    database: Database | None = None
    omop: OmopCohort | None = None
    named: frozenset[str] = frozenset()
    published_arms: tuple[ExternalComparison, ...] = ()

    @property
    def from_database(self) -> bool:
        """The cohort is selected in an OMOP CDM database."""
        return self.omop is not None


@dataclass(frozen=True)
class StudyOptions:
    """Every option of one study, one frozen record per stage.

    Attributes
    ----------
    name
        The study's name.
    spec_path
        The YAML file the options come from (problems found later name it), or ``None``.
    data
        Where the data are.
    validation
        Typing and checking of the raw data (:mod:`oncocohort.model`).
    cohort
        Cohort selection (:mod:`oncocohort.cohort`).
    derive
        The analysis datasets (:mod:`oncocohort.derive`).
    analysis
        The analyses (:mod:`oncocohort.analysis`).
    report
        The report (:mod:`oncocohort.report`).
    variables
        The variables the spec names (checked once the cohort is selected).
    """

    name: str
    spec_path: Path | None
    data: DataOptions
    validation: ValidationOptions
    cohort: CohortOptions
    derive: DeriveOptions
    analysis: AnalysisOptions
    report: ReportOptions
    variables: tuple[NamedVariable, ...] = ()

    @classmethod
    def from_spec(cls, spec: StudySpec) -> StudyOptions:
        """The options of the study ``spec`` describes.

        Raises :class:`~oncocohort.problems.InputError` when a ``safety`` mapping names a
        term that is not a CTCAE v5.0 term (located at the spec's ``safety`` block).
        """
        conventions = _conventions(spec)
        screen = canon.Screen(**spec.screen.model_dump())
        endpoints = tuple(Endpoint.from_spec(name, e.model_dump(exclude={"start_label", "rmst"}))
                          for name, e in spec.endpoints.items())
        landmark_analyses = tuple(
            LandmarkAnalysis(a.endpoint, tuple(float(t) for t in a.at), a.status, a.label)
            for a in spec.landmark_analyses)
        time_varying = tuple(TimeVarying(a.endpoint, a.status, a.label)
                             for a in spec.time_varying)
        subgroups = tuple(s.variable for s in spec.subgroups)
        cuts = tuple(SubgroupCut(s.variable, s.derive.from_, tuple(s.derive.groups()))
                     for s in [*spec.subgroups, *_baseline_items(spec)]
                     if s.derive is not None)
        baseline = _baseline_names(spec) or default_baseline_variables(
            subgroups, tuple(c.source for c in cuts))
        labels = _labels(spec)
        _check_comparison_endpoints(spec)
        continuous = {s.variable: s.per or 1.0 for s in spec.subgroups if s.continuous}
        return cls(
            name=spec.study.name,
            spec_path=spec.spec_path,
            data=DataOptions(sources=spec.sources, database=spec.database, omop=spec.omop,
                             named=named_columns(spec),
                             published_arms=tuple(spec.comparisons.external)),
            validation=_validation(spec, conventions, endpoints),
            cohort=_cohort(spec),
            derive=DeriveOptions(
                data_cutoff=spec.study.data_cutoff,
                response=_response(conventions),
                time=TimeOptions(unit=conventions.time_unit,
                                 days_per_month=conventions.days_per_month,
                                 day_count=conventions.day_count),
                endpoints=endpoints,
                regimen=_regimen(spec),
                safety=_safety(spec, conventions),
                subgroups=cuts,
                statuses=tuple((a.endpoint, a.status)
                               for a in (*landmark_analyses, *time_varying)),
            ),
            analysis=AnalysisOptions(
                conventions=conventions, screen=screen, endpoints=endpoints,
                landmarks=tuple(float(t) for t in spec.landmarks), baseline=baseline,
                subgroups=subgroups, sections=MappingProxyType(dict(spec.outputs.sections)),
                rmst=MappingProxyType({name: e.rmst.tau for name, e in spec.endpoints.items()
                                       if e.rmst is not None}),
                landmark_analyses=landmark_analyses, time_varying=time_varying,
                internal=_internal(spec, labels), external=_external(spec, conventions),
                levels=_levels(spec), continuous=MappingProxyType(continuous),
                baseline_by=spec.baseline_by,
                baseline_continuous=frozenset(
                    [*continuous, *(k for k, v in spec.variables.items() if v.summary)]),
                units=MappingProxyType(_units(spec))),
            report=ReportOptions(
                title=spec.study.name, data_cutoff=spec.study.data_cutoff,
                index_date_label=_index_date_label(spec),
                conventions=conventions, screen=screen,
                cohort_source="omop" if spec.from_database else "files",
                labels=labels, small_cell_k=spec.outputs.small_cell_k,
                formats=tuple(spec.outputs.formats),
                journal_style=spec.outputs.journal_style,
                figure_formats=tuple(spec.outputs.figure_formats),
                km_ci_band=spec.outputs.km.ci_band,
                km_cumulative_events=spec.outputs.km.cumulative_events,
                subgroup_curves=spec.outputs.km.by_subgroup,
                records_after_cutoff=spec.study.records_after_cutoff,
                time_origins=_time_origins(spec),
                variables=MappingProxyType(_display(spec)), facts=_method_facts(spec)),
            variables=_named_variables(spec) + tuple(
                NamedVariable(v, f"comparisons.internal[{i}].{where}", "comparison")
                for i, c in enumerate(spec.comparisons.internal)
                for v, where in [(c.variable, "variable"),
                                 *((a, f"adjust[{j}]") for j, a in enumerate(c.adjust))]),
        )


def named_columns(spec: StudySpec) -> frozenset[str]:
    """Every column name the spec uses outside the sources' ``columns:`` mappings.

    The columns a cohort rule reads, the baseline variables, the subgroup variables and the
    columns they (and Table 1's own groupings) are cut from, the variables given a label or
    named under ``variables:``, the columns of ``patients.<column>`` dates in endpoints
    (start, events, censoring, competing events) and in the status of landmark and
    time-varying analyses, the comparisons' group variables and adjusters. A free patients column flows on from its file
    (into the analysis and the
    outputs) only when it is named here, mapped in ``columns:`` or recoded in ``values:``;
    canonical columns always do. A rule that does not parse names nothing (its error is
    reported when the cohort is selected).
    """
    names: set[str] = set(_baseline_names(spec)) | set(spec.labels) | set(spec.variables)
    if spec.baseline_by is not None:
        names.add(spec.baseline_by)
    for s in [*spec.subgroups, *_baseline_items(spec)]:
        names.add(s.variable)
        if s.derive is not None:
            names.add(s.derive.from_)
    dates = [d for e in spec.endpoints.values()
             for d in (e.start, *e.events, *e.censor, *e.competing)]
    dates += [a.status for a in (*spec.landmark_analyses, *spec.time_varying)]
    names.update(d.removeprefix("patients.") for d in dates if d.startswith("patients."))
    for r in (*spec.cohort.inclusion, *spec.cohort.exclusion):
        try:
            names.update(parse_rule(r.rule).columns)
        except RuleSyntaxError:
            pass
    for c in spec.comparisons.internal:
        names.update([c.variable, *c.adjust])
    return frozenset(names)


def _internal(spec: StudySpec, labels: dict[str, str]) -> tuple[InternalComparison, ...]:
    out = []
    for c in spec.comparisons.internal:
        extra = (c.weighting or c.matching).model_dump()
        out.append(InternalComparison(
            name=c.name, label=c.label or labels.get(c.variable, c.variable),
            variable=c.variable, treated=c.treated, control=c.control, adjust=tuple(c.adjust),
            endpoints=tuple(c.endpoints), method=c.method, **extra))
    return tuple(out)


def _external(spec: StudySpec, conventions: canon.Conventions) -> tuple[ExternalArm, ...]:
    study = TimeOptions(unit=conventions.time_unit, days_per_month=conventions.days_per_month)
    out = []
    for e in spec.comparisons.external:
        figure = TimeOptions(unit=e.time_unit or conventions.time_unit,
                             days_per_month=conventions.days_per_month)
        out.append(ExternalArm(
            name=e.name, label=e.label, citation=e.citation, endpoint=e.endpoint,
            time_factor=figure.days_per_unit / study.days_per_unit,
            total_events=e.total_events, rmst_tau=e.rmst_tau))
    return tuple(out)


def _check_comparison_endpoints(spec: StudySpec) -> None:
    """Every endpoint a comparison names is one of the spec's endpoints, analysed in all
    patients."""
    problems = []
    where = str(spec.spec_path) if spec.spec_path is not None else None
    usable = [k for k, e in spec.endpoints.items() if e.population == "all"]
    named = [(f"comparisons.internal[{i}].endpoints[{j}]", ep)
             for i, c in enumerate(spec.comparisons.internal) for j, ep in enumerate(c.endpoints)]
    named += [(f"comparisons.external[{i}].endpoint", e.endpoint)
              for i, e in enumerate(spec.comparisons.external)]
    for loc, ep in named:
        if ep not in usable:
            problems.append(Problem(
                "error", f"'{ep}' is not an endpoint of the spec analysed in all patients"
                f"{did_you_mean(ep, usable)}; endpoints: {', '.join(usable) or 'none'}",
                file=where, location=loc, code="unknown_endpoint"))
    if problems:
        raise InputError(problems)


def _conventions(spec: StudySpec) -> canon.Conventions:
    values = spec.conventions.model_dump()
    response = canon.ResponseConventions(**values.pop("response"))
    return canon.Conventions(**values, response=response)


def _response(conventions: canon.Conventions) -> ResponseOptions:
    """The RECIST conventions of the derivation (the denominator is the analysis')."""
    r = conventions.response
    return ResponseOptions(confirmation=r.confirmation, confirmation_days=r.confirmation_days,
                           sd_min_days=r.sd_min_days, max_ne_between=r.max_ne_between,
                           day_count=conventions.day_count)


def _validation(spec: StudySpec, conventions: canon.Conventions,
                endpoints: tuple[Endpoint, ...]) -> ValidationOptions:
    """Typing and checks: the cut-off and what a date after it is, partial dates, AE terms,
    each source's date format, the patients' date columns the endpoints name."""
    sources = spec.sources.items() if spec.sources is not None else []
    return ValidationOptions(
        data_cutoff=spec.study.data_cutoff,
        records_after_cutoff=spec.study.records_after_cutoff,
        date_columns=_patient_date_columns(endpoints),
        partial_dates=conventions.partial_dates,
        ae_synonyms=dict(spec.safety.synonyms),
        ae_groups={k: list(v) for k, v in spec.safety.groups.items()},
        date_format=None,
        date_formats={name: s.date_format for name, s in sources if s.date_format},
    )


def _patient_date_columns(endpoints: tuple[Endpoint, ...]) -> tuple[str, ...]:
    """The patients columns the endpoints name as ``patients.<column>``, in order."""
    names = [n for e in endpoints for n in (e.start, *e.events, *e.censor)]
    return tuple(dict.fromkeys(n.removeprefix("patients.") for n in names
                               if n.startswith("patients.")))


def _cohort(spec: StudySpec) -> CohortOptions:
    c = spec.cohort
    rules = tuple(Rule(r.name, kind, r.rule, r.label or r.name)
                  for kind, block in (("inclusion", c.inclusion), ("exclusion", c.exclusion))
                  for r in block)
    reported = None
    if c.reported is not None:
        reported = ReportedCohort(c.reported.screened, tuple(
            ReportedStep(**s.model_dump()) for s in c.reported.steps))
    return CohortOptions(rules=rules, reported=reported)


def _regimen(spec: StudySpec) -> RegimenOptions | None:
    r = spec.regimen
    if r is None:
        return None
    return RegimenOptions(
        drugs={name: DrugSchedule(**d.model_dump()) for name, d in r.drugs.items()},
        cycle_days=r.cycle_days, delay_days=r.delay_days)


def _safety(spec: StudySpec, conventions: canon.Conventions) -> SafetyOptions:
    s = spec.safety
    try:
        return SafetyOptions(
            synonyms=dict(s.synonyms),
            groups={k: tuple(v) for k, v in s.groups.items()},
            regimen_drugs=tuple(s.regimen_drugs),
            immune_related=tuple(s.immune_related),
            treatment_emergent_days=conventions.treatment_emergent_days,
        )
    except ValueError as exc:  # a term that is not a CTCAE v5.0 term
        where = str(spec.spec_path) if spec.spec_path is not None else None
        raise InputError([Problem("error", str(exc), file=where, location="safety",
                                  code="not_ctcae")]) from None


def _method_facts(spec: StudySpec) -> MethodFacts:
    """The spec's endpoint rules, subgroup cuts and safety mapping, for the methods."""
    return MethodFacts(
        endpoints=tuple((name, tuple(e.events), tuple(e.censor))
                        for name, e in spec.endpoints.items()),
        competing=tuple((name, tuple(e.events), tuple(e.competing))
                        for name, e in spec.endpoints.items() if e.competing),
        subgroup_cuts=tuple((s.variable, s.derive.from_, tuple(float(c) for c in s.derive.cut),
                             tuple(s.derive.labels))
                            for s in spec.subgroups if s.derive is not None),
        regimen_drugs=tuple(spec.safety.regimen_drugs),
        term_groups=tuple(spec.safety.groups),
        immune_related=tuple(spec.safety.immune_related))


def _index_date_label(spec: StudySpec) -> str:
    """How the methods name the index date: the spec's ``index_date_label``; without one,
    "start of the studied regimen" when the spec describes a regimen (``regimen:``, the
    safety's ``regimen_drugs``) or reads therapy records (files or an OMOP database), else
    "index date" (a study of one patients sheet says nothing about a regimen it was not told
    of)."""
    if spec.study.index_date_label:
        return spec.study.index_date_label
    sources = spec.sources
    therapy = sources is not None and (sources.therapy is not None
                                       or sources.therapy_lines is not None)
    if spec.regimen is not None or spec.safety.regimen_drugs or therapy or spec.from_database:
        return "start of the studied regimen"
    return "index date"


def _time_origins(spec: StudySpec) -> dict[str, str]:
    """Endpoint name -> the wording of its time origin: ``start_label`` when given; for
    ``index``, the study's ``index_date_label``; for ``patients.<column>``, the column's
    display label (``labels``) in lower case, else the column name in words."""
    out = {}
    for name, e in spec.endpoints.items():
        if e.start_label:
            out[name] = e.start_label
        elif e.start == "index":
            out[name] = _index_date_label(spec)
        elif e.start.startswith("patients."):
            column = e.start.removeprefix("patients.")
            label = spec.labels.get(column)
            out[name] = label[:1].lower() + label[1:] if label else column.replace("_", " ")
        else:
            out[name] = f"{e.start.replace('_', ' ')} date"
    return out


def _baseline_items(spec: StudySpec) -> list[BaselineVariable]:
    return [b for b in spec.baseline if isinstance(b, BaselineVariable)]


def _baseline_names(spec: StudySpec) -> tuple[str, ...]:
    """Table 1 variables in order: a block's variables in its place."""
    names: list[str] = []
    for b in spec.baseline:
        if isinstance(b, BaselineBlock):
            names += b.variables
        else:
            names.append(b.variable if isinstance(b, BaselineVariable) else b)
    return tuple(dict.fromkeys(names))


def _named_variables(spec: StudySpec) -> tuple[NamedVariable, ...]:
    """Every variable the spec names, with its YAML path, to check against the patients."""
    out = []
    for i, s in enumerate(spec.subgroups):
        if s.derive is not None:
            out.append(NamedVariable(s.derive.from_, f"subgroups[{i}].derive.from", "cut",
                                     s.variable))
        else:
            out.append(NamedVariable(s.variable, f"subgroups[{i}].variable",
                                     "continuous" if s.continuous else "subgroup"))
    for i, b in enumerate(spec.baseline):
        if isinstance(b, BaselineBlock):
            out += [NamedVariable(v, f"baseline[{i}].variables[{j}]", "baseline")
                    for j, v in enumerate(b.variables)]
        elif isinstance(b, BaselineVariable) and b.derive is not None:
            out.append(NamedVariable(b.derive.from_, f"baseline[{i}].derive.from", "cut",
                                     b.variable))
        else:
            name = b.variable if isinstance(b, BaselineVariable) else b
            out.append(NamedVariable(name, f"baseline[{i}]", "baseline"))
    if spec.baseline_by is not None:
        out.append(NamedVariable(spec.baseline_by, "baseline_by", "baseline"))
    out += [NamedVariable(k, f"variables.{k}.reference", "reference", reference=v.reference)
            for k, v in spec.variables.items() if v.reference is not None]
    return tuple(out)


def _levels(spec: StudySpec) -> tuple[VariableLevels, ...]:
    """Labels, order and reference level of the variables whose ``values``, ``order`` or
    ``reference`` the spec gives, and of every variable cut into groups (its groups in the
    cut's order, after those ``values`` names)."""
    cut_order = {s.variable: tuple(s.derive.labels)
                 for s in [*spec.subgroups, *_baseline_items(spec)] if s.derive is not None}
    out = []
    for name in dict.fromkeys([*spec.variables, *cut_order]):
        v = spec.variables.get(name)
        if v is None:
            out.append(VariableLevels(name, order=cut_order[name]))
            continue
        if (v.values is None and v.reference is None and v.order == "declared"
                and name not in cut_order):
            continue
        values = v.values or []
        labels = dict(values) if isinstance(values, dict) else {}
        order = tuple(dict.fromkeys([*values, *cut_order.get(name, ())]))
        out.append(VariableLevels(name, MappingProxyType(labels), order,
                                  by_frequency=v.order == "frequency", reference=v.reference))
    return tuple(out)


def _units(spec: StudySpec) -> dict[str, str]:
    units = {"age": "years"}
    units.update({k: v.unit for k, v in spec.variables.items() if v.unit is not None})
    return units


_YES_CODES = ("true", "yes", "Yes", "1", "y", "Y")


def _display(spec: StudySpec) -> dict[str, VariableDisplay]:
    """How Table 1 shows each variable the spec says something about."""
    units = _units(spec)
    blocks = {v: b.block for b in spec.baseline if isinstance(b, BaselineBlock)
              for v in b.variables}
    out = {}
    for name in dict.fromkeys([*spec.variables, *blocks, *units]):
        v = spec.variables.get(name)
        labels = dict(v.values) if v is not None and isinstance(v.values, dict) else {}
        yes = next((labels[c] for c in _YES_CODES if c in labels), "Yes")
        out[name] = VariableDisplay(
            summary=(v.summary if v is not None and v.summary else "median_range"),
            digits=v.digits if v is not None else None,
            yes_only=name in blocks or (v is not None and v.yes_only),
            yes_level=yes, block=blocks.get(name, ""), unit=units.get(name, ""))
    return out


def _labels(spec: StudySpec) -> dict[str, str]:
    """Display labels: the usual ones, then the spec's ``labels``, each variable's (the
    ``variables`` block and the ``baseline`` entries), each subgroup's label and each
    endpoint's."""
    labels = dict(VARIABLE_LABELS)
    labels.update(spec.labels)
    labels.update({k: v.label for k, v in spec.variables.items() if v.label})
    labels.update({b.variable: b.label for b in _baseline_items(spec) if b.label})
    labels.update({s.variable: s.label or labels.get(s.variable, s.variable)
                   for s in spec.subgroups})
    labels.update({k: e.label for k, e in spec.endpoints.items()})
    labels.update({a.status: a.label for a in (*spec.landmark_analyses, *spec.time_varying)})
    return labels
