"""Concept sets in the engine, and the records of a domain that belong to one.

A record matches a concept set when

* its concept id is one of the set's ``concepts`` or, with ``descendants: true`` and a
  non-empty ``concept_ancestor``, a descendant of one (``ancestor_concept_id`` in the set,
  ``descendant_concept_id`` = the record's concept; the table holds each concept as its own
  descendant at level 0, and the set's own ids are kept in case it does not); or
* its concept id is 0 or missing (no standard concept) and its source value, trimmed and in
  lower case, is one of the set's ``source_values`` (lower-cased). This is the fallback for
  drugs outside RxNorm (anlotinib, camrelizumab, tislelizumab) and for local codes.

Dates become integer day numbers (``epoch_days``: days since 1970-01-01) as soon as records
are read, so every later comparison is integer arithmetic with one meaning on every engine
(no engine-specific date subtraction or interval types).
"""

from __future__ import annotations

from dataclasses import dataclass

from oncocohort.sources.omop.connect import Cdm
from oncocohort.spec.database import ConceptSet

__all__ = ["Domain", "DOMAINS", "compute_concept_match", "domain_records", "day_number"]


@dataclass(frozen=True)
class Domain:
    table: str
    concept: str
    start: str
    end: str | None
    source: str
    record_id: str


DOMAINS: dict[str, Domain] = {
    "condition": Domain("condition_occurrence", "condition_concept_id", "condition_start_date",
                        "condition_end_date", "condition_source_value",
                        "condition_occurrence_id"),
    "drug": Domain("drug_exposure", "drug_concept_id", "drug_exposure_start_date",
                   "drug_exposure_end_date", "drug_source_value", "drug_exposure_id"),
    "procedure": Domain("procedure_occurrence", "procedure_concept_id", "procedure_date",
                        "procedure_end_date", "procedure_source_value",
                        "procedure_occurrence_id"),
    "measurement": Domain("measurement", "measurement_concept_id", "measurement_date", None,
                          "measurement_source_value", "measurement_id"),
    "observation": Domain("observation", "observation_concept_id", "observation_date", None,
                          "observation_source_value", "observation_id"),
}


def day_number(col):
    """Days since 1970-01-01 of a date (or timestamp: its date) column, as an integer."""
    if col.type().is_timestamp():
        col = col.date()
    return col.epoch_days()


def compute_concept_match(cdm: Cdm, table, domain: Domain, cs: ConceptSet):
    """Boolean Ibis expression: the rows of ``table`` (a ``domain`` table) in the set."""
    import ibis

    cond = ibis.literal(False)
    if cs.concepts:
        ids = [int(c) for c in cs.concepts]
        cond = table[domain.concept].isin(ids)
        if cs.descendants and cdm.has("concept_ancestor"):
            ca = cdm["concept_ancestor"]
            desc = ca.filter(ca.ancestor_concept_id.isin(ids)).descendant_concept_id
            cond = cond | table[domain.concept].isin(desc)
    if cs.source_values:
        values = sorted({v.strip().lower() for v in cs.source_values})
        unmapped = table[domain.concept].isnull() | (table[domain.concept] == 0)
        cond = cond | (unmapped & table[domain.source].strip().lower().isin(values))
    return cond


def domain_records(cdm: Cdm, domain: str, cs: ConceptSet, persons=None):
    """Records of ``domain`` in the concept set, with ``person_id``, ``record_id``,
    ``concept_id``, ``day`` (start, epoch days), ``end_day`` (end or start) and the
    domain's columns, restricted to ``persons`` (a table with ``person_id``) when given."""
    d = DOMAINS[domain]
    t = cdm[d.table]
    if persons is not None:
        t = t.filter(t.person_id.isin(persons.person_id))
    t = t.filter(compute_concept_match(cdm, t, d, cs))
    start = day_number(t[d.start])
    end = day_number(t[d.end]).fill_null(start) if d.end else start
    return t.mutate(record_id=t[d.record_id], concept_id=t[d.concept], day=start, end_day=end)
