"""Lines of therapy in the engine: which source, and the derivation from drug_exposure.

:func:`derive_lines` returns the lines of the screened persons from the source chosen by
``lines.source`` (:func:`resolve_lines_source`): the OMOP treatment episodes
(:mod:`oncocohort.sources.omop.episodes`) or, when the cohort has none (the usual case
outside the Oncology extension), the derivation from drug_exposure (and procedures) below.
Both give the same columns and the same ``progressed`` and ``drug_class`` rules (one module:
:mod:`oncocohort.sources.omop.line_rules`), so the ``prior_lines`` criterion and the patients
columns read them alike.

The drug_exposure rules, with their defaults from :class:`oncocohort.spec.database.Lines`:

1. **Treatment records**: exposures of the ``drugs`` set and procedures of the
   ``procedures`` set (radiotherapy) of the screened persons, except the studied regimen
   (records of the index anchor and partner sets starting on or after the index date). The
   treatment's name is the record's source value, else the concept name.
2. **Eras (gap rule)**: per person and treatment, records sorted by start (then end, then
   record id); a record starting more than ``gap_days`` (30) after the end of the previous
   one starts a new era; an era spans its records' first start to last end.
3. **Lines (grouping window)**: eras sorted by start (then name); an era starting more than
   ``grouping_window_days`` (28) after the start of the previous era opens a new line, so
   drugs started together (or within the window of each other, chained) form one line.
   Lines are numbered 1, 2, ... in time over the whole history.
4. A line starting before the index date is ``prior``, otherwise ``subsequent``. The studied
   regimen counts as a line: for persons with the index event, lines after it are numbered
   one further (2 prior lines -> the regimen is line 3 -> the next line is line 4).
5. ``progressed`` (prior lines): a record of the ``progression`` set dated from the line's
   start to ``progression_window_days`` (30) after its last end; ``null`` for subsequent
   lines (their outcome belongs to the studied regimen's follow-up).
6. ``drug_class``: the first class of ``classes`` (in the order given) whose set holds the
   record; ``null`` if none.

Every window function orders on a unique key (ties broken by the record id or the name), so
the numbering is identical on DuckDB, PostgreSQL and Spark.

These are the grouping rules of common real-world line-of-therapy algorithms (a start
window, a gap for discontinuation) in their simplest form; switching or adding a drug after
the window always opens a new line here.
"""

from __future__ import annotations

from typing import Literal

from oncocohort.problems import InputError, Problem
from oncocohort.sources.omop.connect import Cdm
from oncocohort.sources.omop.episodes import derive_episode_lines
from oncocohort.sources.omop.line_rules import LINE_COLUMNS, compute_progressed, treatment_records
from oncocohort.spec.database import OmopCohort

__all__ = ["derive_lines", "derive_drug_exposure_lines", "resolve_lines_source", "LinesSource"]

LinesSource = Literal["episodes", "drug_exposure"]


def resolve_lines_source(cdm: Cdm, spec: OmopCohort, screened) -> LinesSource:
    """The source of the lines of therapy.

    ``lines.source`` when explicit; for ``auto``: ``episodes`` when ``episode_event`` is
    populated and at least one screened person has an episode of ``lines.episode_concepts``,
    else ``drug_exposure``. The choice holds for every screened person (sources are never
    mixed). Executes one count in the engine, restricted to the screened persons.

    Raises :class:`InputError` (``omop.lines.source``) when ``episodes`` is asked for and the
    database's ``episode`` / ``episode_event`` table is missing or empty.
    """
    ln = spec.lines
    if ln.source == "drug_exposure":
        return "drug_exposure"
    if ln.source == "episodes":
        missing = [t for t in ("episode", "episode_event") if not cdm.has(t)]
        if missing:
            raise InputError([Problem("error", "lines.source is 'episodes' but the database "
                                      f"has no {' / '.join(missing)} table, or it is empty",
                                      location="omop.lines.source", code="no_episodes")])
        return "episodes"
    if not (cdm.has("episode") and cdm.has("episode_event")):
        return "drug_exposure"
    ep = cdm["episode"]
    ep = ep.filter(ep.person_id.isin(screened.person_id)
                   & ep.episode_concept_id.isin([int(c) for c in ln.episode_concepts]))
    return "episodes" if int(ep.limit(1).count().execute()) > 0 else "drug_exposure"


def derive_lines(cdm: Cdm, spec: OmopCohort, screened, source: LinesSource | None = None):
    """Lazy table with :data:`LINE_COLUMNS`, one row per treatment per line, from ``source``
    (default: :func:`resolve_lines_source`)."""
    if source is None:
        source = resolve_lines_source(cdm, spec, screened)
    if source == "episodes":
        return derive_episode_lines(cdm, spec, screened)
    return derive_drug_exposure_lines(cdm, spec, screened)


def derive_drug_exposure_lines(cdm: Cdm, spec: OmopCohort, screened):
    """Lazy table with :data:`LINE_COLUMNS` derived from drug_exposure (and procedures) by
    the gap and grouping-window rules of this module."""
    import ibis

    ln = spec.lines
    recs = treatment_records(cdm, spec, "drug", ln.drugs, screened)
    if ln.procedures is not None and "procedure_occurrence" in cdm.tables:
        recs = recs.union(treatment_records(cdm, spec, "procedure", ln.procedures, screened),
                          distinct=False)
    recs = recs.join(screened.select("person_id", "index_day", "has_index"), "person_id")
    recs = recs.filter(~(recs.regimen & (recs.day >= recs.index_day)))
    w = ibis.window(group_by=["person_id", "drug"],
                    order_by=["day", "end_day", "record_id"])
    recs = recs.mutate(prev_end=recs.end_day.lag().over(w))
    recs = recs.mutate(new_era=ibis.cases(
        (recs.prev_end.isnull() | (recs.day - recs.prev_end > ln.gap_days), 1), else_=0))
    wc = ibis.window(group_by=["person_id", "drug"], order_by=["day", "end_day", "record_id"],
                     preceding=None, following=0)
    recs = recs.mutate(era=recs.new_era.sum().over(wc))
    eras = recs.group_by(["person_id", "drug", "era"]).aggregate(
        start_day=recs.day.min(), end_day=recs.end_day.max(), drug_class=recs.drug_class.min(),
        index_day=recs.index_day.min(), has_index=recs.has_index.any())
    w2 = ibis.window(group_by="person_id", order_by=["start_day", "drug", "era"])
    eras = eras.mutate(prev_start=eras.start_day.lag().over(w2))
    eras = eras.mutate(new_line=ibis.cases(
        (eras.prev_start.isnull() | (eras.start_day - eras.prev_start > ln.grouping_window_days),
         1), else_=0))
    w3 = ibis.window(group_by="person_id", order_by=["start_day", "drug", "era"],
                     preceding=None, following=0)
    eras = eras.mutate(line=eras.new_line.sum().over(w3))
    bounds = eras.group_by(["person_id", "line"]).aggregate(
        line_start=eras.start_day.min(), line_end=eras.end_day.max())
    eras = eras.join(bounds, ["person_id", "line"])
    eras = eras.mutate(setting=ibis.cases((eras.line_start < eras.index_day, "prior"),
                                          else_="subsequent"))
    out = eras.group_by(["person_id", "setting", "line", "drug"]).aggregate(
        drug_class=eras.drug_class.min(), start_day=eras.start_day.min(),
        end_day=eras.end_day.max(), has_index=eras.has_index.any())
    out = compute_progressed(cdm, spec, out, bounds, screened)
    # the studied regimen is a line of its own: lines after it are numbered one further
    bump = ibis.cases(((out.setting == "subsequent") & out.has_index, 1), else_=0)
    out = out.mutate(line=out.line + bump)
    return out.select(*LINE_COLUMNS)
