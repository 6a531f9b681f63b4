"""The wiring of one study: spec -> sources -> model -> cohort -> derive -> analysis.

Pure orchestration used by the CLI: reads the inputs the spec names, never writes. Each stage
lives in its own folder; this module only calls them in order, translating the spec's plain
values into each stage's options, and carries their problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from oncocohort.problems import InputError, Problem, Problems

__all__ = [
    "LoadedStudy",
    "StudyResults",
    "load_study",
    "derive_study",
    "select_study_cohort",
    "run_study",
    "demo_spec_path",
]


@dataclass(frozen=True)
class LoadedStudy:
    """A study spec with its data typed and validated.

    ``attrition`` is set when the cohort was already selected where the data came from (an
    OMOP CDM database: the rules run in the engine), and then ``data`` holds only the cohort.
    """

    spec: object
    data: object
    problems: Problems
    attrition: pd.DataFrame | None = None
    engine: str | None = None
    lines_source: str | None = None


@dataclass(frozen=True)
class StudyResults:
    """What ``run_study`` produces for the report."""

    spec: object
    analysis: object = None
    datasets: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)
    notes: tuple[str, ...] = ()


def demo_spec_path(*, omop: bool = False) -> Path:
    """Path of the bundled demo study spec (inside the installed package); with ``omop`` the
    spec that finds the same cohort in an OMOP CDM database (``study-omop.yaml``)."""
    name = "study-omop.yaml" if omop else "study.yaml"
    return Path(str(resources.files("oncocohort") / "data" / "demo" / name))


def load_study(path: Path, *, database_url: str | None = None) -> LoadedStudy:
    """Load the spec and every source it names; type and validate the data.

    With ``database:``/``omop:`` in the spec the cohort is selected in the OMOP CDM database
    and only its records are read (``database_url`` overrides ``database.url``; a relative
    path is taken from the current folder). Raises :class:`~oncocohort.problems.InputError`
    when the spec itself is invalid or the database cannot be opened; data problems are
    returned in ``problems`` (all of them) so the caller can list them.
    """
    from oncocohort.model import ValidationOptions, build_study_data
    from oncocohort.sources.load import load_sources
    from oncocohort.spec import load_spec

    spec = load_spec(Path(path))
    if database_url is not None and not spec.from_database:
        raise InputError([Problem("error", "a database URL was given but the spec reads files "
                                  "(it has no 'database' and 'omop' blocks)",
                                  file=str(path), location="database", code="not_omop")])
    attrition, engine, lines_source = None, None, None
    if spec.from_database:
        tables, attrition, engine, lines_source = _extract_from_database(spec, database_url)
        source_problems = Problems()
    else:
        tables, source_problems = load_sources(spec)
    if not source_problems.ok:
        return LoadedStudy(spec=spec, data=None, problems=source_problems)
    options = ValidationOptions(**spec.validation_options())
    data, model_problems = build_study_data(tables, options)
    return LoadedStudy(spec=spec, data=data, problems=source_problems + model_problems,
                       attrition=attrition, engine=engine, lines_source=lines_source)


def _extract_from_database(spec, database_url: str | None):
    """The cohort's canonical tables and attrition, selected in the OMOP CDM database.

    The tables come back typed; they are handed to ``model/`` like any source (as
    :class:`~oncocohort.sources.base.SourceTable` named after the database, one "row" per
    record) so that the same validation runs on them.
    """
    from oncocohort.sources.base import SourceTable
    from oncocohort.sources.omop import connect_cdm, extract_omop_cohort
    from oncocohort.sources.omop.connect import describe_error

    db = spec.database
    where = str(spec.spec_path) if spec.spec_path is not None else None
    url = database_url if database_url is not None else db.url
    base = None if database_url is not None else db.base_dir

    def locate(p: Problem) -> Problem:
        # a problem with the URL given on the command line is not the spec's
        if database_url is not None and p.location in ("database.url", "database"):
            return replace(p, file=None, location="--database")
        return replace(p, file=p.file or where)

    try:
        cdm = connect_cdm(url, base_dir=base, schema=db.schema_, parquet_dir=db.parquet_dir)
        extraction = extract_omop_cohort(cdm, spec.omop)
    except InputError as exc:
        raise InputError([locate(p) for p in exc.problems]) from None
    except Exception as exc:  # noqa: BLE001 - the engine or driver failed on this database
        raise InputError([locate(Problem(
            "error", f"the OMOP database could not be read with this spec: "
            f"{describe_error(exc, url)}", location="database", code="database_error"))]) from None
    label = f"OMOP CDM ({extraction.engine})"
    tables = {
        name: [SourceTable(name, frame.reset_index(drop=True), file=f"{label} {name}",
                           rows=np.arange(1, len(frame) + 1, dtype=np.int64))]
        for name, frame in extraction.tables.items()
    }
    return tables, extraction.attrition, extraction.engine, extraction.lines_source


# ----------------------------------------------------------------------------- cohort


def select_patients(spec, patients: pd.DataFrame, attrition: pd.DataFrame | None = None):
    """Apply the spec's cohort rules; no rules -> everyone, with a one-row attrition; reported
    counts (pre-selected data) -> everyone, with the attrition the study reports; an attrition
    counted where the data came from (OMOP) -> everyone, with that attrition."""
    from oncocohort.cohort import CohortSelection, Rule, select_cohort
    from oncocohort.cohort.reported import ReportedStep, select_reported

    if attrition is not None:
        if int(attrition["n_remaining"].iloc[-1]) != len(patients):
            raise InputError([Problem(
                "error", f"the database's attrition ends with {attrition['n_remaining'].iloc[-1]} "
                f"patients but {len(patients)} were read", code="attrition_mismatch")])
        return CohortSelection(selected=patients, attrition=attrition.copy(), excluded={})
    reported = spec.cohort.reported
    if reported is not None:
        steps = [ReportedStep(s.kind, s.label, s.excluded) for s in reported.steps]
        try:
            return select_reported(patients, reported.screened, steps)
        except InputError as exc:
            raise InputError([_locate_rule(p, spec) for p in exc.problems]) from None

    rules = [Rule(r.name, "inclusion", r.rule, r.label or r.name) for r in spec.cohort.inclusion]
    rules += [Rule(r.name, "exclusion", r.rule, r.label or r.name) for r in spec.cohort.exclusion]
    try:
        selection = select_cohort(patients, rules)
    except InputError as exc:
        raise InputError([_locate_rule(p, spec) for p in exc.problems]) from None
    return selection


def _locate_rule(p: Problem, spec) -> Problem:
    """Point a cohort-rule problem at the spec (the rule's YAML path is its location).

    The cohort step numbers rows of the typed patients table, which after merging sources is
    not a row of any one file; the subject id names the patient instead.
    """

    file = str(spec.spec_path) if spec.spec_path is not None else p.file
    return replace(p, file=file, row=None)


def add_subgroup_variables(spec, patients: pd.DataFrame) -> pd.DataFrame:
    """Add the subgroup variables the spec derives by cutting numeric columns."""
    out = patients.copy()
    for sg in spec.subgroups:
        if sg.derive is None or sg.derive.from_ not in out.columns:
            continue  # a missing column is reported by check_variables
        x = pd.to_numeric(out[sg.derive.from_], errors="coerce").to_numpy(float)
        labels = np.full(len(out), None, dtype=object)
        for lo, hi, label in sg.derive.groups():
            labels[(x >= lo) & (x < hi)] = label
        out[sg.variable] = pd.Series(labels, index=out.index, dtype=object)
    return out


def select_study_cohort(loaded: LoadedStudy):
    """Cohort selection, subgroup variables and the check that every variable named exists.

    Returns the selection and the selected patients; raises ``InputError`` listing every
    problem (a rule that cannot be evaluated, an unknown baseline or subgroup variable).
    """
    spec = loaded.spec
    selection = select_patients(spec, loaded.data.patients, loaded.attrition)
    if len(selection.selected) == 0:
        a = selection.attrition
        emptied = a[a["n_remaining"] == 0]
        step = (f" (none left after '{emptied['label'].iloc[0]}', step {emptied['step'].iloc[0]})"
                if len(emptied) else "")
        raise InputError([Problem("error", f"no patient is selected{step}: there is nothing to "
                                  "analyse; check the cohort rules", code="empty_cohort",
                                  file=str(spec.spec_path) if spec.spec_path else None,
                                  location="omop" if loaded.attrition is not None else "cohort")])
    patients = add_subgroup_variables(spec, selection.selected).reset_index(drop=True)
    check_variables(spec, patients)
    return selection, patients


def check_variables(spec, patients: pd.DataFrame) -> None:
    """Every baseline and subgroup variable the spec names must exist (after derivation)."""
    problems = []
    where = str(spec.spec_path) if spec.spec_path is not None else None
    for i, sg in enumerate(spec.subgroups):
        if sg.derive is not None and sg.derive.from_ not in patients.columns:
            problems.append(Problem("error", f"{sg.derive.from_!r} (to derive subgroup "
                                    f"{sg.variable!r} from) is not a column of the patients "
                                    "table", file=where, location=f"subgroups[{i}].derive.from",
                                    code="unknown_variable"))
        elif sg.variable not in patients.columns:
            problems.append(Problem("error", f"subgroup variable {sg.variable!r} is not a column "
                                    "of the patients table", file=where,
                                    location=f"subgroups[{i}].variable", code="unknown_variable"))
    for i, name in enumerate(spec.baseline):
        if name not in patients.columns:
            problems.append(Problem("error", f"baseline variable {name!r} is neither a column of "
                                    "the patients table nor a derived subgroup variable",
                                    file=where, location=f"baseline[{i}]",
                                    code="unknown_variable"))
    if problems:
        raise InputError(problems)


# ----------------------------------------------------------------------------- derive


def _response_options(spec):
    from oncocohort.derive.recist import ResponseOptions

    r = spec.conventions.response
    return ResponseOptions(
        confirmation=r.confirmation,
        confirmation_days=r.confirmation_days,
        sd_min_days=r.sd_min_days,
        max_ne_between=r.max_ne_between,
        day_count=spec.conventions.day_count,
    )


def _endpoints(spec):
    from oncocohort.derive.endpoints import Endpoint

    return [
        Endpoint(
            name=name,
            label=e.label,
            start=e.start,
            events=tuple(e.events),
            censor=tuple(e.censor),
            population=e.population,
            missed_assessments=e.missed_assessments,
            assessment_interval_days=e.assessment_interval_days,
            censor_at_new_therapy=e.censor_at_new_therapy,
        )
        for name, e in spec.endpoints.items()
    ]


def _regimen(spec):
    from oncocohort.derive.exposure import DrugSchedule

    regimen = getattr(spec, "regimen", None)
    if regimen is None:
        return {}, 21, 7.0
    drugs = {
        name: DrugSchedule(kind=d.kind, dose=d.dose, days_on=d.days_on, cycle_days=d.cycle_days)
        for name, d in regimen.drugs.items()
    }
    return drugs, regimen.cycle_days, regimen.delay_days


def derive_study(loaded: LoadedStudy):
    """Cohort selection and every derivation -> :class:`~oncocohort.analysis.DerivedStudy`."""
    from oncocohort.analysis.inputs import DerivedStudy
    from oncocohort.derive.dates import derive_named_dates
    from oncocohort.derive.endpoints import TimeOptions, derive_param_tte
    from oncocohort.derive.exposure import derive_exposure, derive_prior_therapy
    from oncocohort.derive.recist import derive_overall_records, derive_visit_response
    from oncocohort.derive.response import derive_best_response
    from oncocohort.derive.safety import SafetyOptions, derive_ae

    spec, data = loaded.spec, loaded.data
    selection, patients = select_study_cohort(loaded)
    ids = set(patients["subject_id"])

    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["subject_id"].isin(ids)].reset_index(drop=True)

    lesions, responses = mine(data.lesions), mine(data.responses)
    therapy_lines, therapy = mine(data.therapy_lines), mine(data.therapy)
    r_opts = _response_options(spec)
    visits = derive_visit_response(lesions, patients, options=r_opts) if len(lesions) else None
    overall = derive_overall_records(visits, responses if len(responses) else None)
    best = derive_best_response(overall, patients, therapy_lines, visits=visits, options=r_opts)

    cutoff = pd.Timestamp(spec.study.data_cutoff)
    dates = derive_named_dates(patients, best, therapy_lines, data_cutoff=cutoff,
                               assessments=overall)
    c = spec.conventions
    t_opts = TimeOptions(unit=c.time_unit, days_per_month=c.days_per_month, day_count=c.day_count)
    tte_frames = [derive_param_tte(dates, ep, options=t_opts) for ep in _endpoints(spec)]
    tte = pd.concat(tte_frames, ignore_index=True) if tte_frames else pd.DataFrame()

    regimen, cycle_days, delay_days = _regimen(spec)
    exposure = (derive_exposure(therapy, patients, regimen=regimen, cycle_days=cycle_days,
                                delay_days=delay_days, days_per_month=c.days_per_month,
                                data_cutoff=cutoff)
                if regimen and len(therapy) else pd.DataFrame())
    prior = derive_prior_therapy(therapy_lines, patients, days_per_month=c.days_per_month)
    s = spec.safety
    s_opts = SafetyOptions(
        synonyms=dict(s.synonyms),
        groups={k: tuple(v) for k, v in s.groups.items()},
        regimen_drugs=tuple(s.regimen_drugs),
        immune_related=tuple(s.immune_related),
        treatment_emergent_days=c.treatment_emergent_days,
    )
    ae = derive_ae(mine(data.adverse_events), patients, options=s_opts, therapy=therapy)
    return DerivedStudy(
        spec=spec,
        data=data,
        attrition=selection.attrition,
        patients=patients,
        visits=visits if visits is not None else pd.DataFrame(),
        best_response=best,
        tte=tte,
        exposure=exposure,
        prior_therapy=prior,
        ae=ae,
        problems=loaded.problems,
    )


def run_study(loaded: LoadedStudy) -> StudyResults:
    """Cohort, derivations and analyses of a validated study, ready for the report."""
    derived = derive_study(loaded)
    datasets = {
        "attrition": derived.attrition,
        "patients": derived.patients,
        "visit_response": derived.visits,
        "best_response": derived.best_response,
        "tte": derived.tte,
        "exposure": derived.exposure,
        "prior_therapy": derived.prior_therapy,
        "adverse_events": derived.ae,
    }
    analysis = None
    notes: list[str] = []
    try:
        from oncocohort.analysis import analyse_study
    except ImportError:
        notes.append("The analyses and report are not built yet: wrote the analysis datasets.")
    else:
        analysis = analyse_study(derived)
    return StudyResults(
        spec=loaded.spec,
        analysis=analysis,
        datasets={k: v for k, v in datasets.items() if v is not None},
        problems=loaded.problems,
        notes=tuple(notes),
    )
