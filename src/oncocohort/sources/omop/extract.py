"""Pull the cohort's records out of the database and map them to the canonical tables.

The cohort (person ids and index days, a few rows per included patient) is the first thing
executed; it is sent back to the engine as a small table (``ibis.memtable``) and every later
query is restricted to it, so only the cohort's records cross the wire: no full-table pull.

Mapping (see also :mod:`oncocohort.simulate.omop` for the conventions on fields OMOP lacks):

==================  ==========================================================================
canonical           OMOP
==================  ==========================================================================
``subject_id``      ``person.person_source_value`` (else the ``person_id`` as text)
``age``             completed years from ``year/month/day_of_birth`` (missing month/day: 1)
``sex``             ``gender_concept_id`` 8507 -> ``M``, 8532 -> ``F``
``ecog``            latest measurement of ``patients.ecog`` in ``ecog_window`` (ties: largest id)
``last_alive_date`` latest observation of ``patients.last_alive``, else the observation period end
``death_date``      earliest ``death.death_date``
``eot_date/reason`` first observation of ``patients.end_of_treatment`` on/after the index
                    (``value_as_string`` = reason)
``therapy``         exposures of the index anchor/partner sets on/after the index; dose =
                    ``quantity``; ``sig`` JSON: cycle, planned_dose, dose_change(_reason)
``therapy_lines``   treatment episodes (:mod:`oncocohort.sources.omop.episodes`) or
                    drug_exposure (:mod:`oncocohort.sources.omop.lines`), as ``lines.source``
``lesions``         measurements of ``patients.lesions`` sets; ``measurement_source_value``
                    JSON: lesion_id, site, nodal; ``value_as_number`` = diameter;
                    ``value_source_value`` = non-target status
``adverse_events``  condition_occurrence of type ``adverse_event_type``; term =
                    ``condition_source_value``; ``condition_status_source_value`` JSON: grade,
                    related, related_drugs, serious
==================  ==========================================================================
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from oncocohort.problems import InputError, Problem
from oncocohort.sources.omop.cohort import _in_window, build_cohort, compute_attrition
from oncocohort.sources.omop.concepts import DOMAINS, day_number, domain_records
from oncocohort.sources.omop.connect import Cdm
from oncocohort.spec.database import Covariate, OmopCohort

__all__ = ["OmopExtraction", "extract_omop_cohort", "suppress_small_counts"]

_EPOCH = np.datetime64("1970-01-01", "D")


@dataclass(frozen=True)
class OmopExtraction:
    """Result of :func:`extract_omop_cohort`.

    Attributes
    ----------
    attrition
        Columns ``step, kind, rule, label, n_before, n_excluded, n_remaining`` (as
        :func:`oncocohort.cohort.select_cohort`), counted in the engine.
    tables
        Canonical tables (``patients``, ``therapy``, ``therapy_lines``, ``lesions``,
        ``adverse_events``) of the cohort, sorted by subject and key.
    engine
        ``duckdb``, ``postgres`` or ``pyspark``.
    lines_source
        Where the lines of therapy came from: ``episodes``, ``drug_exposure``, or ``None``
        (the spec has no ``lines`` block).
    """

    attrition: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    engine: str
    lines_source: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """The attrition table (a copy)."""
        return self.attrition.copy()


def suppress_small_counts(attrition: pd.DataFrame, k: int | None) -> pd.DataFrame:
    """Attrition with counts from 1 to ``k - 1`` replaced by missing (small-cell suppression);
    ``k`` of ``None`` returns a copy unchanged. Zero is never suppressed."""
    out = attrition.copy()
    if k is None:
        return out
    for c in ("n_before", "n_excluded", "n_remaining"):
        v = out[c].astype("Int64")
        out[c] = v.mask((v > 0) & (v < k))
    return out


def _dates(days: pd.Series) -> pd.Series:
    d = pd.to_numeric(days, errors="coerce")
    vals = np.where(d.isna(), np.datetime64("NaT", "D"),
                    _EPOCH + np.nan_to_num(d.to_numpy(dtype=float)).astype("timedelta64[D]"))
    return pd.Series(pd.to_datetime(vals).astype("datetime64[s]"), index=days.index)


def _exec(expr) -> pd.DataFrame:
    return expr.to_pandas()


def extract_omop_cohort(cdm: Cdm, spec: OmopCohort) -> OmopExtraction:
    """Run the cohort definition ``spec`` on ``cdm`` and return the attrition and the
    canonical tables of the persons passing every rule.

    Examples
    --------
    >>> from oncocohort.sources.omop import connect_cdm  # doctest: +SKIP
    >>> ext = extract_omop_cohort(connect_cdm("omop.duckdb"), omop_spec)  # doctest: +SKIP
    >>> ext.attrition["n_remaining"].iloc[-1]  # doctest: +SKIP
    87
    """
    import ibis

    ct = build_cohort(cdm, spec)
    attrition = compute_attrition(spec, ct.flags)
    rule_cols = [f"rule_{r}" for r in spec.rule_columns.values()]
    cohort_df = _exec(ct.flags.filter(ct.flags.first_fail.isnull()).select(
        "person_id", "index_day", "has_index", *rule_cols))
    cohort_df["person_id"] = cohort_df["person_id"].astype("int64")
    cohort_df["index_day"] = cohort_df["index_day"].astype("int64")
    persons = ibis.memtable(cohort_df[["person_id", "index_day"]])
    if cdm.engine == "pyspark":  # bind to the session and cache (see cohort._materialised)
        persons = cdm.backend.create_view("oncocohort_cohort", persons, overwrite=True).cache()
    p = cdm["person"]
    people = _exec(p.filter(p.person_id.isin(persons.person_id)).select(
        "person_id", "gender_concept_id", "year_of_birth", "month_of_birth", "day_of_birth",
        "person_source_value"))
    base = cohort_df.merge(people, on="person_id", how="left")
    ids = base["person_source_value"].where(base["person_source_value"].notna(),
                                            base["person_id"].astype(str)).astype(str)
    subject = dict(zip(base["person_id"], ids, strict=True))
    patients = _patients(cdm, spec, base, ids, persons)
    lines = _lines(ct, spec, persons, subject)
    tables = {"patients": _add_line_covariates(patients, lines, spec, base),
              "therapy": _therapy(cdm, spec, persons, subject),
              "therapy_lines": lines,
              "lesions": _lesions(cdm, spec, persons, subject),
              "adverse_events": _adverse_events(cdm, spec, persons, subject)}
    return OmopExtraction(attrition=attrition, tables=tables, engine=cdm.engine,
                          lines_source=ct.lines_source)


def _with_index(cdm, domain, cs, persons):
    r = domain_records(cdm, domain, cs, persons)
    return r.join(persons, "person_id")


def _patients(cdm: Cdm, spec: OmopCohort, base: pd.DataFrame, ids: pd.Series, persons
              ) -> pd.DataFrame:
    import ibis

    sets, ps = spec.concept_sets, spec.patients
    index = _dates(base["index_day"])
    idx = pd.DatetimeIndex(index)
    m = base["month_of_birth"].fillna(1).astype(int).to_numpy()
    d = base["day_of_birth"].fillna(1).astype(int).to_numpy()
    before = (idx.month < m) | ((idx.month == m) & (idx.day < d))
    age = (idx.year - base["year_of_birth"].astype(int).to_numpy() - before).astype(float)
    out = pd.DataFrame({"subject_id": ids.to_numpy(), "index_date": index.to_numpy(),
                        "age": age,
                        "sex": base["gender_concept_id"].map({8507: "M", 8532: "F"}).to_numpy()})
    pid = base["person_id"]

    def by_person(frame: pd.DataFrame, col: str) -> pd.Series:
        return pid.map(dict(zip(frame["person_id"], frame[col], strict=True)))

    if ps.ecog is not None:
        r = _with_index(cdm, "measurement", sets[ps.ecog], persons)
        r = r.filter(_in_window(r.day, r.index_day, ps.ecog_window))
        w = ibis.window(group_by="person_id", order_by=[ibis.desc("day"), ibis.desc("record_id")])
        r = r.mutate(rn=ibis.row_number().over(w))
        e = _exec(r.filter(r.rn == 0).select("person_id", "value_as_number"))
        out["ecog"] = pd.array(by_person(e, "value_as_number").round().tolist(), dtype="Int64")
    op = cdm["observation_period"]
    op = op.filter(op.person_id.isin(persons.person_id))
    last = _exec(op.group_by("person_id").aggregate(
        day=day_number(op.observation_period_end_date).max()))
    alive = by_person(last, "day")
    if ps.last_alive is not None:
        r = domain_records(cdm, "observation", sets[ps.last_alive], persons)
        la = _exec(r.group_by("person_id").aggregate(day=r.day.max()))
        alive = by_person(la, "day").fillna(alive)
    out["last_alive_date"] = _dates(alive).to_numpy()
    if "death" in cdm.tables:
        dt_ = cdm["death"]
        dt_ = dt_.filter(dt_.person_id.isin(persons.person_id))
        death = _exec(dt_.group_by("person_id").aggregate(day=day_number(dt_.death_date).min()))
        out["death_date"] = _dates(by_person(death, "day")).to_numpy()
    else:
        out["death_date"] = pd.Series(pd.NaT, index=out.index).astype("datetime64[s]")
    if ps.end_of_treatment is not None:
        r = _with_index(cdm, "observation", sets[ps.end_of_treatment], persons)
        r = r.filter(r.day >= r.index_day)
        w = ibis.window(group_by="person_id", order_by=["day", "record_id"])
        r = r.mutate(rn=ibis.row_number().over(w))
        eot = _exec(r.filter(r.rn == 0).select("person_id", "day", "value_as_string"))
        out["eot_date"] = _dates(by_person(eot, "day")).to_numpy()
        out["eot_reason"] = by_person(eot, "value_as_string").to_numpy()
    for name, cov in spec.covariates.items():
        out[name] = _covariate(cdm, spec, cov, persons, by_person)
    if spec.regimen_label is not None:
        out["regimen"] = np.where(base["has_index"].astype(bool), spec.regimen_label, None)
    ix = spec.index
    if ix.partner_column is not None:
        a = _with_index(cdm, "drug", sets[ix.partner], persons)
        a = a.filter((a.day - a.index_day).abs() <= ix.within_days)
        a = a.mutate(src=a.drug_source_value.strip())
        w = ibis.window(group_by="person_id", order_by=["day", "src", "record_id"])
        a = _exec(a.mutate(rn=ibis.row_number().over(w)).filter(lambda t: t.rn == 0)
                  .select("person_id", "src"))
        out[ix.partner_column] = by_person(a, "src").to_numpy()
    if ix.anchor_dose_column is not None:
        a = _with_index(cdm, "drug", sets[ix.anchor], persons)
        a = a.filter(a.day == a.index_day)
        w = ibis.window(group_by="person_id", order_by=["record_id"])
        a = _exec(a.mutate(rn=ibis.row_number().over(w)).filter(lambda t: t.rn == 0)
                  .select("person_id", "quantity"))
        out[ix.anchor_dose_column] = by_person(a, "quantity").astype("float64").to_numpy()
    for col, rule in spec.rule_columns.items():
        out[col] = pd.array(base[f"rule_{rule}"].astype(bool).tolist(), dtype="boolean")
    return out.sort_values("subject_id", kind="stable").reset_index(drop=True)


def _covariate(cdm: Cdm, spec: OmopCohort, cov: Covariate, persons, by_person) -> np.ndarray:
    sets = spec.concept_sets

    def records(set_name):
        r = _with_index(cdm, cov.domain, sets[set_name], persons)
        return r.filter(_in_window(r.day, r.index_day, cov.window))

    if cov.exists is not None:
        r = records(cov.exists)
        got = _exec(r.select("person_id").distinct())
        return pd.array(by_person(got.assign(v=True), "v").notna().tolist(),
                        dtype="boolean")
    if cov.count_distinct is not None:
        r = records(cov.count_distinct)
        n = _exec(r.group_by("person_id").aggregate(n=r.concept_id.nunique()))
        return pd.array(by_person(n, "n").fillna(0).astype(int).tolist(), dtype="Int64")
    result = by_person(pd.DataFrame({"person_id": [], "v": []}), "v").astype(object)
    for label, set_name in reversed(list(cov.categories.items())):  # first listed wins
        got = _exec(records(set_name).select("person_id").distinct())
        hit = by_person(got.assign(v=label), "v")
        result = hit.where(hit.notna(), result)
    return result.to_numpy(dtype=object)


def _lines(ct, spec: OmopCohort, persons, subject) -> pd.DataFrame:
    cols = ["subject_id", "setting", "line", "drug", "drug_class", "start_date", "end_date",
            "progressed"]
    if ct.lines is None:
        return pd.DataFrame(columns=cols)
    lt = ct.lines
    f = _exec(lt.filter(lt.person_id.isin(persons.person_id)))
    f["subject_id"] = f["person_id"].map(subject)
    f["start_date"], f["end_date"] = _dates(f["start_day"]), _dates(f["end_day"])
    f["line"] = f["line"].astype("int64")
    f["progressed"] = pd.array([None if pd.isna(v) else bool(v) for v in f["progressed"]],
                               dtype="boolean")
    f = f[cols].sort_values(["subject_id", "line", "drug"], kind="stable")
    return f.reset_index(drop=True)


def _add_line_covariates(patients, lines, spec: OmopCohort, base) -> pd.DataFrame:
    if spec.lines is None:
        return patients
    prior = lines[lines["setting"] == "prior"]
    n = prior.groupby("subject_id")["line"].nunique()
    failed = prior[prior["progressed"].fillna(False).astype(bool)].groupby("subject_id").size()
    sid = patients["subject_id"]
    out = patients.copy()
    out["prior_lines"] = pd.array(sid.map(n).fillna(0).astype(int).tolist(), dtype="Int64")
    out["prior_failure"] = pd.array(sid.isin(failed.index).tolist(), dtype="boolean")
    for col, klass in spec.lines.prior_flags.items():
        has = set(prior.loc[prior["drug_class"] == klass, "subject_id"])
        out[col] = pd.array(sid.isin(has).tolist(), dtype="boolean")
    return out


def _json_column(f: pd.DataFrame, column: str, subject, table: str, *,
                 objects_only: bool = False) -> list[dict]:
    """The JSON objects of a source-value column (empty: ``{}``); ``objects_only`` leaves
    values not starting with ``{`` as ``{}``. Raises :class:`InputError` naming the table,
    column and subject of every value that is not a JSON object (never the value itself)."""
    out: list[dict] = []
    problems: list[Problem] = []
    for person, raw in zip(f["person_id"], f[column], strict=True):
        if not isinstance(raw, str) or not raw or (objects_only and not raw.startswith("{")):
            out.append({})
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            value, why = None, f"is not valid JSON ({exc.msg})"
        else:
            why = "is not a JSON object"
        if not isinstance(value, dict):
            problems.append(Problem("error", f"{column} {why}", file=f"OMOP CDM {table}",
                                    column=column, subject=str(subject.get(person, person)),
                                    code="bad_source_value"))
            value = {}
        out.append(value)
    if problems:
        raise InputError(problems)
    return out


def _therapy(cdm: Cdm, spec: OmopCohort, persons, subject) -> pd.DataFrame:
    sets, ix = spec.concept_sets, spec.index
    parts = []
    for name in dict.fromkeys((ix.anchor, ix.partner)):
        r = _with_index(cdm, "drug", sets[name], persons)
        r = r.filter(r.day >= r.index_day)
        parts.append(_exec(r.select("person_id", "record_id", "day", "end_day", "quantity",
                                    "sig", "drug_source_value")))
    f = pd.concat(parts, ignore_index=True).drop_duplicates("record_id")
    sig = _json_column(f, "sig", subject, "drug_exposure")
    out = pd.DataFrame({
        "subject_id": f["person_id"].map(subject),
        "drug": f["drug_source_value"].astype(str).str.strip(),
        "start_date": _dates(f["day"]), "end_date": _dates(f["end_day"]),
        "cycle": pd.array([s.get("cycle") for s in sig], dtype="Int64"),
        "dose": f["quantity"].astype("float64"),
        "planned_dose": pd.array([s.get("planned_dose") for s in sig], dtype="Float64"
                                 ).astype("float64"),
        "dose_change": [s.get("dose_change") for s in sig],
        "dose_change_reason": [s.get("dose_change_reason") for s in sig]})
    return out.sort_values(["subject_id", "start_date", "drug"], kind="stable"
                           ).reset_index(drop=True)


def _lesions(cdm: Cdm, spec: OmopCohort, persons, subject) -> pd.DataFrame:
    parts = []
    for ltype, set_name in spec.patients.lesions.items():
        r = domain_records(cdm, "measurement", spec.concept_sets[set_name], persons)
        f = _exec(r.select("person_id", "day", "value_as_number", "measurement_source_value",
                           "value_source_value"))
        parts.append(f.assign(lesion_type=ltype))
    cols = ["subject_id", "visit_date", "lesion_id", "lesion_type", "site", "nodal",
            "diameter", "non_target_status"]
    if not parts:
        return pd.DataFrame(columns=cols)
    f = pd.concat(parts, ignore_index=True)
    src = _json_column(f, "measurement_source_value", subject, "measurement",
                       objects_only=True)
    out = pd.DataFrame({
        "subject_id": f["person_id"].map(subject), "visit_date": _dates(f["day"]),
        "lesion_id": [s.get("lesion_id") for s in src], "lesion_type": f["lesion_type"],
        "site": [s.get("site") for s in src],
        "nodal": pd.array([s.get("nodal") for s in src], dtype="boolean"),
        "diameter": f["value_as_number"].astype("float64"),
        "non_target_status": f["value_source_value"].where(f["value_source_value"].notna(),
                                                           None)})
    return out[cols].sort_values(["subject_id", "visit_date", "lesion_id"], kind="stable"
                                 ).reset_index(drop=True)


def _adverse_events(cdm: Cdm, spec: OmopCohort, persons, subject) -> pd.DataFrame:
    cols = ["subject_id", "ae_term", "grade", "onset_date", "end_date", "related",
            "related_drugs", "serious"]
    t_ae = spec.patients.adverse_event_type
    if t_ae is None:
        return pd.DataFrame(columns=cols)
    d = DOMAINS["condition"]
    t = cdm[d.table]
    t = t.filter(t.person_id.isin(persons.person_id) & (t.condition_type_concept_id == t_ae))
    f = _exec(t.select("person_id", "condition_source_value", "condition_status_source_value",
                       day=day_number(t.condition_start_date),
                       end_day=day_number(t.condition_end_date)))
    st = _json_column(f, "condition_status_source_value", subject, "condition_occurrence")
    out = pd.DataFrame({
        "subject_id": f["person_id"].map(subject), "ae_term": f["condition_source_value"],
        "grade": pd.array([s.get("grade") for s in st], dtype="Int64"),
        "onset_date": _dates(f["day"]), "end_date": _dates(f["end_day"]),
        "related": pd.array([s.get("related") for s in st], dtype="boolean"),
        "related_drugs": [s.get("related_drugs") for s in st],
        "serious": pd.array([s.get("serious") for s in st], dtype="boolean")})
    return out[cols].sort_values(["subject_id", "onset_date", "ae_term"], kind="stable"
                                 ).reset_index(drop=True)
