"""Lines of therapy from the OMOP Oncology extension's treatment episodes, in the engine.

Used when ``lines.source`` is ``episodes``, or ``auto`` and the screened persons have
treatment episodes (:func:`oncocohort.sources.omop.lines.resolve_lines_source`). The
conventions read (OMOP CDM v5.4 ``episode`` / ``episode_event``):

* a line of therapy is an ``episode`` whose ``episode_concept_id`` is one of
  ``lines.episode_concepts`` (default 32531, "Treatment Regimen", of the Episode domain);
  ``episode_object_concept_id`` (the regimen) is not needed;
* its number is ``episode_number``; when missing, the episode's rank by start date (then
  ``episode_id``) among the person's treatment episodes. Episodes sharing a number form one
  line. Numbers are taken as recorded: the studied regimen's own episode keeps its number
  and, its records being the ``therapy`` table, gives no row;
* its treatments are the records linked by ``episode_event``: ``drug_exposure`` rows
  (``episode_event_field_concept_id`` 1147094, ``event_id`` = ``drug_exposure_id``) of the
  ``lines.drugs`` set and ``procedure_occurrence`` rows (1147082) of ``lines.procedures``;
  records of the index anchor/partner sets on or after the index date are the studied
  regimen and are left out, as in the drug_exposure derivation;
* a line's start is its earliest ``episode_start_date``, its end its latest
  ``episode_end_date`` (a missing end: the last end of its records). ``prior`` when it
  starts before the index date. ``progressed``, ``drug_class``, and a treatment's own start
  and end (first start and last end of its records in the line) follow the same rules as
  the drug_exposure derivation (:mod:`oncocohort.sources.omop.line_rules`).

Everything stays lazy and restricted to the screened persons: the episode table is filtered
on them before any join.
"""

from __future__ import annotations

from oncocohort.sources.omop.concepts import day_number
from oncocohort.sources.omop.connect import Cdm
from oncocohort.sources.omop.line_rules import LINE_COLUMNS, compute_progressed, treatment_records
from oncocohort.spec.database import OmopCohort

__all__ = ["derive_episode_lines", "FIELD_CONCEPTS"]

#: ``episode_event_field_concept_id`` of the linked record's primary key, per domain
FIELD_CONCEPTS = {"drug": 1147094, "procedure": 1147082}


def _treatment_episodes(cdm: Cdm, spec: OmopCohort, screened):
    """``e_id, e_person, e_start, e_end, line`` of the screened persons' treatment
    episodes."""
    import ibis

    ep = cdm["episode"]
    ep = ep.filter(ep.person_id.isin(screened.person_id)
                   & ep.episode_concept_id.isin([int(c) for c in spec.lines.episode_concepts]))
    ep = ep.select(e_id=ep.episode_id, e_person=ep.person_id,
                   e_start=day_number(ep.episode_start_date),
                   e_end=day_number(ep.episode_end_date), e_number=ep.episode_number)
    w = ibis.window(group_by="e_person", order_by=["e_start", "e_id"])
    ep = ep.mutate(e_rank=ibis.row_number().over(w))
    ep = ep.mutate(line=ep.e_number.cast("int64").fill_null(ep.e_rank.cast("int64") + 1))
    return ep.drop("e_number", "e_rank")


def derive_episode_lines(cdm: Cdm, spec: OmopCohort, screened):
    """Lazy table with :data:`~oncocohort.sources.omop.line_rules.LINE_COLUMNS`, one row per
    treatment per line, from the treatment episodes of the screened persons."""
    import ibis

    ln = spec.lines
    ep = _treatment_episodes(cdm, spec, screened)
    ev = cdm["episode_event"]
    ev = ev.filter(ev.episode_id.isin(ep.e_id))
    parts = [("drug", ln.drugs)]
    if ln.procedures is not None and "procedure_occurrence" in cdm.tables:
        parts.append(("procedure", ln.procedures))
    linked = None
    for domain, set_name in parts:
        recs = treatment_records(cdm, spec, domain, set_name, screened)
        links = ev.filter(ev.episode_event_field_concept_id == FIELD_CONCEPTS[domain])
        links = links.select(v_episode="episode_id", v_event="event_id")
        j = recs.join(links, recs.record_id == links.v_event).drop("v_event")
        linked = j if linked is None else linked.union(j, distinct=False)
    recs = linked.join(ep, (linked.v_episode == ep.e_id) & (linked.person_id == ep.e_person))
    recs = recs.join(screened.select("person_id", "index_day"), "person_id")
    recs = recs.filter(~(recs.regimen & (recs.day >= recs.index_day)))
    recs = recs.mutate(e_end=recs.e_end.fill_null(recs.end_day))
    bounds = recs.group_by(["person_id", "line"]).aggregate(
        line_start=recs.e_start.min(), line_end=recs.e_end.max(), index_day=recs.index_day.min())
    bounds = bounds.mutate(setting=ibis.cases((bounds.line_start < bounds.index_day, "prior"),
                                              else_="subsequent"))
    recs = recs.join(bounds.select("person_id", "line", "setting"), ["person_id", "line"])
    out = recs.group_by(["person_id", "setting", "line", "drug"]).aggregate(
        drug_class=recs.drug_class.min(), start_day=recs.day.min(), end_day=recs.end_day.max())
    out = compute_progressed(cdm, spec, out, bounds.select("person_id", "line", "line_start",
                                                           "line_end"), screened)
    return out.select(*LINE_COLUMNS)
