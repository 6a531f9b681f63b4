"""The screened population, the index event, the rules and the attrition, in the engine.

Everything here builds Ibis expressions; the only values executed are the attrition counts
(one ``GROUP BY`` over the screened persons) and, for ``lines.source: auto``, one count of
the screened persons' treatment episodes that chooses where the lines come from. Rules are
evaluated on every screened person and each person is assigned the first rule that removes
them (an inclusion rule not met or an exclusion rule met), which gives the same attrition as
applying the rules one after the other.
A criterion whose data are absent (no measurement in the window, no observation period around
the index) is not met.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from oncocohort.sources.omop.concepts import day_number, domain_records
from oncocohort.sources.omop.connect import Cdm
from oncocohort.sources.omop.lines import derive_lines, resolve_lines_source
from oncocohort.spec.database import Comparison, Criterion, OmopCohort

if TYPE_CHECKING:  # ibis is imported where a query is built (it is slow to import)
    from ibis.expr.types import Table

__all__ = ["CohortTables", "derive_screened", "derive_rule_flags", "compute_attrition",
           "build_cohort"]

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
        "==": operator.eq, "!=": operator.ne}


def _compare(expr, c: Comparison):
    return _OPS[c.op](expr, c.value)


def _in_window(day, index_day, window):
    import ibis

    lo, hi = window
    cond = ibis.literal(True)
    if lo is not None:
        cond = cond & (day - index_day >= lo)
    if hi is not None:
        cond = cond & (day - index_day <= hi)
    return cond


@dataclass(frozen=True)
class CohortTables:
    """Lazy Ibis tables of one cohort definition on one database."""

    screened: Table  # person_id, index_day, has_index
    flags: Table  # screened + one boolean column per rule + first_fail
    cohort: Table  # person_id, index_day of the persons passing every rule
    lines: Table | None  # lines of therapy of the screened persons (see lines.py)
    lines_source: str | None = None  # "episodes" or "drug_exposure" (None: no lines spec)


def derive_screened(cdm: Cdm, spec: OmopCohort):
    """``person_id, index_day, has_index``: the screened persons and their index day."""

    sets = spec.concept_sets
    e, ix = spec.entry, spec.index
    lo = int(pd.Timestamp(e.study_start).value // 86_400_000_000_000)
    hi = int(pd.Timestamp(e.study_end).value // 86_400_000_000_000)
    parts = [domain_records(cdm, "drug", sets[name]).select("person_id", "day")
             for name in e.drugs]
    entry = parts[0]
    for p in parts[1:]:
        entry = entry.union(p, distinct=False)
    entry = entry.filter((entry.day >= lo) & (entry.day <= hi))
    first = entry.group_by("person_id").aggregate(first_day=entry.day.min())
    anchor = domain_records(cdm, "drug", sets[ix.anchor]).select("person_id", a_day="day")
    anchor = anchor.filter((anchor.a_day >= lo) & (anchor.a_day <= hi))
    partner = domain_records(cdm, "drug", sets[ix.partner]).select(p_person="person_id",
                                                                    p_day="day")
    pairs = anchor.join(partner, (anchor.person_id == partner.p_person)
                        & ((anchor.a_day - partner.p_day).abs() <= ix.within_days))
    event = pairs.group_by("person_id").aggregate(event_day=pairs.a_day.min())
    base = first.left_join(event, "person_id").select(
        person_id=first.person_id, event_day=event.event_day, first_day=first.first_day)
    base = base.mutate(index_day=base.event_day.fill_null(base.first_day),
                       has_index=base.event_day.notnull())
    cond = domain_records(cdm, "condition", sets[e.condition]).select("person_id", c_day="day")
    cond = cond.group_by("person_id").aggregate(c_first=cond.c_day.min())
    j = base.join(cond, "person_id")
    return j.filter(j.c_first <= j.index_day).select("person_id", "index_day", "has_index")


def _criterion_persons(cdm: Cdm, spec: OmopCohort, c: Criterion, screened, lines):
    """Table of ``person_id`` (distinct) meeting criterion ``c``, among ``screened``."""
    import ibis

    sets = spec.concept_sets
    kind = c.kind
    if kind in ("condition", "drug", "procedure", "observation"):
        r = domain_records(cdm, kind, sets[getattr(c, kind)], screened).select("person_id",
                                                                                "day")
        r = r.join(screened.select("person_id", "index_day"), "person_id")
        r = r.filter(_in_window(r.day, r.index_day, c.window))
        g = r.group_by("person_id").aggregate(n=r.day.count())
        return g.filter(g.n >= c.min_count).select("person_id")
    if kind == "measurement":
        r = domain_records(cdm, "measurement", sets[c.measurement], screened)
        r = r.select("person_id", "day", "record_id", "value_as_number")
        r = r.join(screened.select("person_id", "index_day"), "person_id")
        r = r.filter(_in_window(r.day, r.index_day, c.window))
        w = ibis.window(group_by="person_id", order_by=[ibis.desc("day"), ibis.desc("record_id")])
        r = r.mutate(rn=ibis.row_number().over(w))
        r = r.filter((r.rn == 0) & r.value_as_number.notnull())
        return r.filter(_compare(r.value_as_number, c.value)).select("person_id")
    if kind == "age":
        p = cdm["person"]
        j = p.join(screened.select("person_id", "index_day"), "person_id")
        idx = ibis.date(1970, 1, 1) + j.index_day.as_interval("D")
        m, d = j.month_of_birth.fill_null(1), j.day_of_birth.fill_null(1)
        before = (idx.month() < m) | ((idx.month() == m) & (idx.day() < d))
        years = idx.year() - j.year_of_birth - ibis.cases((before, 1), else_=0)
        return j.filter(_compare(years, c.age)).select("person_id")
    if kind == "index_event":
        return screened.filter(screened.has_index == c.index_event).select("person_id")
    if kind == "prior_lines":
        lt = lines.filter(lines.setting == "prior")
        if c.progressed:
            lt = lt.filter(lt.progressed)
        n = lt.group_by("person_id").aggregate(n=lt.line.nunique())
        j = screened.select("person_id").left_join(n, "person_id")
        j = j.select(person_id=j.person_id, n=j.n.fill_null(0))
        return j.filter(_compare(j.n, c.prior_lines)).select("person_id")
    # observation_days_before
    op = cdm["observation_period"]
    j = op.join(screened.select("person_id", "index_day"), "person_id")
    s, e = day_number(j.observation_period_start_date), day_number(j.observation_period_end_date)
    j = j.filter((s <= j.index_day) & (e >= j.index_day))
    g = j.group_by("person_id").aggregate(days=(j.index_day - s).max())
    g = screened.select("person_id").left_join(g, "person_id")
    g = g.select(person_id=g.person_id, days=g.days.fill_null(0))
    return g.filter(_compare(g.days, c.observation_days_before)).select("person_id")


def derive_rule_flags(cdm: Cdm, spec: OmopCohort, screened, lines):
    """``screened`` plus one boolean column per rule (true = criterion met) and
    ``first_fail``: the name of the first rule removing the person (null = in the cohort)."""
    import ibis

    flags = screened
    rules = [(r, "inclusion") for r in spec.inclusion] + [(r, "exclusion")
                                                           for r in spec.exclusion]
    for r, _ in rules:
        met = ibis.literal(True)
        for c in r.all_of:
            persons = _criterion_persons(cdm, spec, c, screened, lines)
            met = met & flags.person_id.isin(persons.person_id)
        flags = flags.mutate(**{f"rule_{r.name}": met})
    branches = []
    for r, kind in rules:
        col = flags[f"rule_{r.name}"]
        branches.append((~col if kind == "inclusion" else col, r.name))
    first = ibis.cases(*branches, else_=ibis.null("string")) if branches else ibis.null("string")
    return flags.mutate(first_fail=first)


def compute_attrition(spec: OmopCohort, flags) -> pd.DataFrame:
    """The attrition table (columns of :func:`oncocohort.cohort.select_cohort`), counted in
    the engine with one ``GROUP BY first_fail``."""
    counts = flags.group_by("first_fail").aggregate(n=flags.person_id.count()).to_pandas()
    by = {(None if pd.isna(k) else str(k)): int(n) for k, n in zip(counts.first_fail, counts.n,
                                                                     strict=True)}
    total = sum(by.values())
    rows = [(0, "screened", "", "Screened", total, 0, total)]
    remaining = total
    rules = [(r, "inclusion") for r in spec.inclusion] + [(r, "exclusion")
                                                           for r in spec.exclusion]
    for i, (r, kind) in enumerate(rules, start=1):
        n = by.get(r.name, 0)
        rows.append((i, kind, r.name, r.label or r.name, remaining, n, remaining - n))
        remaining -= n
    out = pd.DataFrame(rows, columns=["step", "kind", "rule", "label", "n_before",
                                      "n_excluded", "n_remaining"])
    for c in ("step", "n_before", "n_excluded", "n_remaining"):
        out[c] = out[c].astype("int64")
    return out


def _materialised(cdm: Cdm, table):
    """On Spark, cache an intermediate result that several later queries read (Spark would
    otherwise recompute the whole plan for each); DuckDB and PostgreSQL plan it once per
    query and are fast enough without."""
    return table.cache() if cdm.engine == "pyspark" else table


def build_cohort(cdm: Cdm, spec: OmopCohort) -> CohortTables:
    """All lazy tables of the cohort definition. Nothing is executed but, with a ``lines``
    spec of source ``auto``, the count that chooses the source of the lines
    (:func:`oncocohort.sources.omop.lines.resolve_lines_source`)."""
    screened = _materialised(cdm, derive_screened(cdm, spec))
    lines = source = None
    if spec.lines is not None:
        source = resolve_lines_source(cdm, spec, screened)
        lines = _materialised(cdm, derive_lines(cdm, spec, screened, source))
    flags = _materialised(cdm, derive_rule_flags(cdm, spec, screened, lines))
    cohort = flags.filter(flags.first_fail.isnull()).select("person_id", "index_day")
    return CohortTables(screened=screened, flags=flags, cohort=cohort, lines=lines,
                        lines_source=source)
