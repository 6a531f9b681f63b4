"""The rules both derivations of lines of therapy share: their columns, the treatment records
of a concept set, and the ``progressed`` flag of a prior line.

Used by the drug_exposure derivation (:mod:`oncocohort.sources.omop.lines`, whose docstring
states the rules) and by the treatment-episode one (:mod:`oncocohort.sources.omop.episodes`).
"""

from __future__ import annotations

from oncocohort.sources.omop.concepts import DOMAINS, compute_concept_match, domain_records
from oncocohort.sources.omop.connect import Cdm
from oncocohort.spec.database import OmopCohort

__all__ = ["LINE_COLUMNS", "treatment_records", "compute_progressed"]

#: Columns of a lines-of-therapy table, one row per treatment per line.
LINE_COLUMNS = ("person_id", "setting", "line", "drug", "drug_class", "start_day", "end_day",
                "progressed")


def treatment_records(cdm: Cdm, spec: OmopCohort, domain: str, set_name: str, screened):
    """Records of ``domain`` in the set ``set_name``, of the screened persons: ``person_id,
    record_id, drug`` (source value, else the concept name), ``drug_class`` (the first of
    ``lines.classes`` whose set holds the record), ``regimen`` (in the index anchor or
    partner set), ``day, end_day``."""
    import ibis

    sets = spec.concept_sets
    r = domain_records(cdm, domain, sets[set_name], screened)
    d = DOMAINS[domain]
    cls = [(compute_concept_match(cdm, r, d, sets[s]), name)
           for name, s in spec.lines.classes.items()]
    klass = ibis.cases(*cls, else_=ibis.null("string")) if cls else ibis.null("string")
    regimen = (compute_concept_match(cdm, r, d, sets[spec.index.anchor])
               | compute_concept_match(cdm, r, d, sets[spec.index.partner]))
    r = r.mutate(drug_class=klass, regimen=regimen, src=r[d.source].strip())
    if cdm.has("concept"):
        c = cdm["concept"].select(c_id="concept_id", c_name="concept_name")
        r = r.left_join(c, r.concept_id == c.c_id)
        other = r.c_name
    else:
        other = ibis.null("string")
    name = ibis.cases((r.src.notnull() & (r.src != ""), r.src), else_=other)
    return r.mutate(drug=name).select(
        "person_id", "record_id", "drug", "drug_class", "regimen", "day", "end_day")


def compute_progressed(cdm: Cdm, spec: OmopCohort, out, bounds, screened):
    """``out`` (``person_id, setting, line, ...``) plus ``progressed``.

    For a prior line: a record of ``lines.progression`` dated from the line's start
    (``bounds.line_start``) to ``progression_window_days`` after its end
    (``bounds.line_end``); ``bounds`` has one row per ``person_id, line``. Null for subsequent
    lines and when the spec has no progression set.
    """
    import ibis

    ln = spec.lines
    if ln.progression is None:
        return out.mutate(progressed=ibis.null("boolean"))
    cols = list(out.columns)
    prog = domain_records(cdm, "observation", spec.concept_sets[ln.progression], screened)
    prog = prog.select(g_person="person_id", g_day="day")
    hit = bounds.join(prog, (bounds.person_id == prog.g_person)
                      & (prog.g_day >= bounds.line_start)
                      & (prog.g_day <= bounds.line_end + ln.progression_window_days))
    hit = hit.select(h_person="person_id", h_line="line").distinct()
    out = out.left_join(hit, (out.person_id == hit.h_person) & (out.line == hit.h_line))
    out = out.mutate(progressed=ibis.cases((out.setting == "prior", out.h_person.notnull()),
                                           else_=ibis.null("boolean")))
    return out.select(*cols, "progressed")
