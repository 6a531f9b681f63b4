"""Load a study: its spec, its options and its data, typed and validated.

The data come from files (``sources:``: read, mapped and recoded by :mod:`oncocohort.sources`)
or from an OMOP CDM database (``database:``/``omop:``: the cohort is selected in the engine and
only its records are read, :mod:`oncocohort.sources.omop`); either way the canonical tables go
through the same typing and checks (:func:`oncocohort.model.build_study_data`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from oncocohort.analysis.comparison_options import PublishedArm
from oncocohort.canon.schema import TABLES
from oncocohort.canon.codes import DATE_NEEDS
from oncocohort.canon.sections import SECTION_NEEDS
from oncocohort.derive.sections import available_sections, unavailable_dates
from oncocohort.model import StudyData, build_study_data
from oncocohort.problems import InputError, Problem, Problems
from oncocohort.sources.base import SourceTable
from oncocohort.sources.load import load_sources
from oncocohort.sources.omop import connect_cdm, extract_omop_cohort, parse_database_url
from oncocohort.sources.omop.connect import describe_error
from oncocohort.sources.published import read_published_arm
from oncocohort.spec import load_spec
from oncocohort.study.checks import check_names
from oncocohort.study.options import StudyOptions

__all__ = ["LoadedStudy", "load_study", "check_sections", "check_endpoint_data",
           "input_paths", "patients_columns", "read_options"]


@dataclass(frozen=True)
class LoadedStudy:
    """A study's options with its data typed and validated.

    ``data`` is ``None`` when the sources could not be read (``problems`` says why).
    ``attrition`` is set when the cohort was already selected where the data came from (an
    OMOP CDM database: the rules run in the engine), and then ``data`` holds only the cohort;
    ``engine`` and ``lines_source`` say which engine and which lines of therapy.
    """

    options: StudyOptions
    data: StudyData | None
    problems: Problems
    attrition: pd.DataFrame | None = None
    engine: str | None = None
    lines_source: str | None = None
    published: Mapping[str, PublishedArm] = field(default_factory=dict)


def read_options(path: Path) -> StudyOptions:
    """The options of the study whose spec is at ``path``; raises
    :class:`~oncocohort.problems.InputError` when the spec is invalid."""
    return StudyOptions.from_spec(load_spec(Path(path)))


def load_study(path: Path, *, database_url: str | None = None,
               options: StudyOptions | None = None) -> LoadedStudy:
    """Load the spec (unless its ``options`` are given, :func:`read_options`) and every
    source it names; type and validate the data.

    With ``database:``/``omop:`` in the spec the cohort is selected in the OMOP CDM database
    and only its records are read (``database_url`` overrides ``database.url``; a relative
    path is taken from the current folder). Raises :class:`~oncocohort.problems.InputError`
    when the spec itself is invalid or the database cannot be opened; data problems are
    returned in ``problems`` (all of them) so the caller can list them: the sources', the
    model's, and the names the spec gives that the patients table lacks (cohort rules,
    variables, endpoint dates: :func:`oncocohort.study.checks.check_names`), in one pass.
    """
    if options is None:
        options = read_options(path)
    if database_url is not None and not options.data.from_database:
        raise InputError([Problem("error", "a database URL was given but the spec reads files "
                                  "(it has no 'database' and 'omop' blocks)",
                                  file=str(path), location="database", code="not_omop")])
    attrition, engine, lines_source = None, None, None
    if options.data.from_database:
        tables, attrition, engine, lines_source = _extract_from_database(options, database_url)
        source_problems = Problems()
    else:
        tables, source_problems = load_sources(options.data.sources, options.data.named)
    names = check_names(options, patients_columns(tables)) if "patients" in tables else []
    published, arm_problems = read_published_arms(options)
    names = names + arm_problems
    if not source_problems.ok:
        return LoadedStudy(options=options, data=None, problems=source_problems + names)
    data, model_problems = build_study_data(tables, options.validation)
    return LoadedStudy(options=options, data=data,
                       problems=(source_problems + model_problems
                                 + check_sections(options, data)
                                 + check_endpoint_data(options, data, tables) + names),
                       attrition=attrition, engine=engine, lines_source=lines_source,
                       published=published)


def input_paths(path: Path, *, database_url: str | None = None,
                options: StudyOptions | None = None) -> list[Path]:
    """Every file and folder the study at ``path`` reads: the spec itself, each source's file,
    the published arms' curve and numbers-at-risk CSVs, a DuckDB database file and a
    ``parquet_dir`` (relative paths resolved as :func:`load_study` resolves them).
    ``options``: the spec's, when already read (:func:`read_options`).

    An output folder must hold none of them (``run --out``), so they are known before the
    data are read. Only the spec is returned when the spec itself cannot be read (then
    :func:`load_study` reports why, and nothing is written).
    """
    paths = [Path(path)]
    if options is None:
        try:
            options = read_options(path)
        except InputError:
            return paths
    data = options.data
    if data.sources is not None:
        paths += [source.path for _, source in data.sources.items()]
    for arm in data.published_arms:
        paths += [arm.curve_path, arm.at_risk_path]
    if data.from_database and data.database is not None:
        db = data.database
        url = database_url if database_url is not None else db.url
        try:
            engine, target = parse_database_url(
                url, None if database_url is not None else db.base_dir)
        except InputError:  # load_study says what is wrong with it
            engine, target = None, None
        if engine == "duckdb" and target not in (None, ":memory:"):
            paths.append(Path(target))
        if db.parquet_dir is not None:
            folder = Path(db.parquet_dir)
            if not folder.is_absolute() and db.base_dir is not None:
                folder = db.base_dir / folder
            paths.append(folder)
    return paths


def read_published_arms(options: StudyOptions
                        ) -> tuple[dict[str, PublishedArm], list[Problem]]:
    """The digitised curve and numbers at risk of every ``comparisons.external`` arm (files
    relative to the spec), and every problem found in them."""
    out: dict[str, PublishedArm] = {}
    problems: list[Problem] = []
    for arm in options.data.published_arms:
        try:
            curve, at_risk = read_published_arm(arm.curve_path, arm.at_risk_path,
                                                 curve_file=arm.curve, at_risk_file=arm.at_risk)
        except InputError as exc:
            problems += exc.problems
            continue
        out[arm.name] = PublishedArm(curve, at_risk)
    return out, problems


def patients_columns(tables: dict[str, list[SourceTable]]) -> list[str]:
    """The columns the typed patients table will have: every canonical one (absent ones are
    all missing) and the free covariates of its sources."""
    found = dict.fromkeys(TABLES["patients"].names)
    for source in tables.get("patients", []):
        found.update(dict.fromkeys(str(c) for c in source.frame.columns))
    return list(found)


def check_sections(options: StudyOptions, data: StudyData) -> list[Problem]:
    """A section the spec switches on (``outputs.sections: {response: true}``) must have
    its data (:mod:`oncocohort.canon.sections`): an error naming the section and what it
    needs, at ``validate`` as at ``run``."""
    wanted = [name for name, on in options.analysis.sections.items() if on]
    if not wanted:
        return []
    available = available_sections(
        data, regimen=options.derive.regimen is not None and bool(options.derive.regimen.drugs),
        endpoints=bool(options.analysis.endpoints),
        subgroups=bool(options.analysis.subgroups)
        and any(e.population == "all" for e in options.analysis.endpoints))
    where = str(options.spec_path) if options.spec_path is not None else None
    return [Problem("error", f"the {name} section is switched on but the study has no "
                    f"{SECTION_NEEDS[name]}; give them, or remove the switch",
                    file=where, location=f"outputs.sections.{name}", code="section_without_data")
            for name in wanted if name not in available]


def check_endpoint_data(options: StudyOptions, data: StudyData,
                        tables: Mapping[str, list[SourceTable]]) -> list[Problem]:
    """An endpoint's start, events or competing events must name dates the study has data
    for (:data:`oncocohort.canon.codes.DATE_NEEDS`): ``events: [progression, death]`` with no
    tumour assessment and no progression date would be overall survival under the name of
    PFS. One error per list of the spec naming such a date (``endpoints.pfs.events``), at
    ``validate`` as at ``run``."""
    given = {str(c) for t in tables.get("patients", []) for c in t.frame.columns}
    missing = unavailable_dates(data, given)
    where = str(options.spec_path) if options.spec_path is not None else None
    problems = []
    for e in options.analysis.endpoints:
        for key, names in (("start", (e.start,)), ("events", e.events),
                           ("competing", e.competing)):
            lacking = [n for n in names if n in missing]
            if not lacking:
                continue
            needs = "; ".join(f"{n} needs {DATE_NEEDS[n]}" for n in lacking)
            problems.append(Problem(
                "error", f"endpoint {e.name} names {', '.join(lacking)} but the study has no "
                f"data for {'it' if len(lacking) == 1 else 'them'} ({needs}): give those data, "
                f"or remove {'it' if len(lacking) == 1 else 'them'} from endpoints.{e.name}."
                f"{key}", file=where, location=f"endpoints.{e.name}.{key}",
                code="endpoint_without_data"))
    return problems


def _extract_from_database(options: StudyOptions, database_url: str | None
                           ) -> tuple[dict[str, list[SourceTable]], pd.DataFrame, str,
                                      str | None]:
    """The cohort's canonical tables and attrition, selected in the OMOP CDM database, the
    engine and the source of the lines of therapy.

    The tables come back typed; they are handed to ``model/`` like any source (as
    :class:`~oncocohort.sources.base.SourceTable` named after the database, one "row" per
    record) so that the same validation runs on them.
    """
    db = options.data.database
    where = str(options.spec_path) if options.spec_path is not None else None
    url = database_url if database_url is not None else db.url
    base = None if database_url is not None else db.base_dir

    def locate(p: Problem) -> Problem:
        # a problem with the URL given on the command line is not the spec's
        if database_url is not None and p.location in ("database.url", "database"):
            return replace(p, file=None, location="--database")
        return replace(p, file=p.file or where)

    try:
        cdm = connect_cdm(url, base_dir=base, schema=db.schema_, parquet_dir=db.parquet_dir)
        extraction = extract_omop_cohort(cdm, options.data.omop)
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
