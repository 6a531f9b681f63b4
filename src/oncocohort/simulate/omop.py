"""A synthetic OMOP CDM v5.4 hospital database that contains the demo's 231 screened patients.

The 231 screened ESCC patients of :func:`oncocohort.simulate.simulate_escc` are converted,
record by record, into OMOP tables; around them, ``persons - 231`` background patients with
other cancers (lung, colorectal, breast, gastric, prostate, oesophageal cancer treated without
the studied drugs) and their treatments make a hospital database. The demo's OMOP cohort
definition (``examples/escc-anlotinib-pd1/study-omop.yaml``) finds exactly the 231 screened
patients in it and reproduces the published attrition 231 -> 118 -> 87.

The vocabulary is synthetic and local: concept ids from 2,000,000,000 (the range OMOP reserves
for site-specific concepts), with a small ``concept_ancestor``; gender (8507, 8532) and the EHR
type concept (32817) are the standard ids. Drugs outside RxNorm (anlotinib, camrelizumab,
tislelizumab) get ``drug_concept_id = 0`` and their name in ``drug_source_value``, the usual
situation the source-value fallback of a concept set is for.

Where the canonical tables hold what OMOP has no column for, the generator uses these
conventions (read back by :mod:`oncocohort.sources.omop.extract`):

* studied-regimen administrations: ``drug_exposure.quantity`` = dose, ``sig`` = JSON with
  ``cycle``, ``planned_dose``, ``dose_change``, ``dose_change_reason``;
* adverse events: ``condition_occurrence`` rows of type concept :data:`AE_TYPE`,
  ``condition_source_value`` = term, ``condition_status_source_value`` = JSON with ``grade``,
  ``related``, ``related_drugs``, ``serious``;
* RECIST lesions: ``measurement`` rows (target diameter / non-target status / new lesion),
  ``measurement_source_value`` = JSON with ``lesion_id``, ``site``, ``nodal``,
  ``value_source_value`` = non-target status;
* end of treatment, last known alive, progression on a prior line: ``observation`` rows.

The generator is pure: :func:`generate_omop_chunks` yields dicts of DataFrames, one per chunk
of persons. :func:`oncocohort.report.simulated.write_omop_duckdb` writes them into a DuckDB file (all
file output is in ``report/``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import numpy as np
import pandas as pd

from oncocohort.simulate import _calibration as cal
from oncocohort.simulate.escc import DEFAULT_SEED, simulate_escc

__all__ = [
    "OMOP_COLUMNS",
    "CONCEPTS",
    "AE_TYPE",
    "omop_vocabulary",
    "convert_escc",
    "generate_background",
    "generate_omop_chunks",
]

EHR = 32817
AE_TYPE = 2000000900
L = 2_000_000_000  # local concept ids start here

# name -> (concept_id, domain, concept class, parent names)
CONCEPTS: dict[str, tuple[int, str, str, tuple[str, ...]]] = {
    "Malignant neoplasm of esophagus": (L + 100, "Condition", "Clinical Finding", ()),
    "Squamous cell carcinoma of esophagus": (L + 101, "Condition", "Clinical Finding",
                                             ("Malignant neoplasm of esophagus",)),
    "Adenocarcinoma of esophagus": (L + 102, "Condition", "Clinical Finding",
                                    ("Malignant neoplasm of esophagus",)),
    "Small cell carcinoma of esophagus": (L + 103, "Condition", "Clinical Finding",
                                          ("Malignant neoplasm of esophagus",)),
    "Squamous cell carcinoma of upper third of esophagus": (
        L + 111, "Condition", "Clinical Finding", ("Squamous cell carcinoma of esophagus",)),
    "Squamous cell carcinoma of middle third of esophagus": (
        L + 112, "Condition", "Clinical Finding", ("Squamous cell carcinoma of esophagus",)),
    "Squamous cell carcinoma of lower third of esophagus": (
        L + 113, "Condition", "Clinical Finding", ("Squamous cell carcinoma of esophagus",)),
    "Secondary malignant neoplasm": (L + 200, "Condition", "Clinical Finding", ()),
    **{f"Secondary malignant neoplasm of {s}": (L + 201 + i, "Condition", "Clinical Finding",
                                                ("Secondary malignant neoplasm",))
       for i, s in enumerate(("liver", "lung", "bone", "distant lymph node", "pleura",
                              "adrenal gland", "peritoneum", "brain"))},
    "Primary malignant neoplasm, other site": (L + 300, "Condition", "Clinical Finding", ()),
    **{f"Malignant neoplasm of {s}": (L + 301 + i, "Condition", "Clinical Finding",
                                      ("Primary malignant neoplasm, other site",))
       for i, s in enumerate(("lung", "colon", "breast", "stomach", "prostate"))},
    "Antineoplastic agent": (L + 1000, "Drug", "Drug Class", ()),
    **{c: (L + 1001 + i, "Drug", "Drug Class", ("Antineoplastic agent",))
       for i, c in enumerate(("PD-1 antibody", "Taxane", "Platinum compound",
                              "Fluoropyrimidine", "Targeted agent", "Other chemotherapy",
                              "Other antineoplastic"))},
    **{d: (L + 1100 + i, "Drug", "Ingredient", (cls,)) for i, (d, cls) in enumerate((
        ("pembrolizumab", "PD-1 antibody"), ("nivolumab", "PD-1 antibody"),
        ("sintilimab", "PD-1 antibody"), ("toripalimab", "PD-1 antibody"),
        ("docetaxel", "Taxane"), ("paclitaxel", "Taxane"), ("nab-paclitaxel", "Taxane"),
        ("cisplatin", "Platinum compound"), ("carboplatin", "Platinum compound"),
        ("oxaliplatin", "Platinum compound"), ("nedaplatin", "Platinum compound"),
        ("5-fluorouracil", "Fluoropyrimidine"), ("capecitabine", "Fluoropyrimidine"),
        ("S-1", "Fluoropyrimidine"), ("irinotecan", "Other chemotherapy"),
        ("apatinib", "Targeted agent"), ("nimotuzumab", "Targeted agent"),
        ("osimertinib", "Targeted agent"), ("trastuzumab", "Targeted agent"),
        ("bevacizumab", "Other antineoplastic"), ("gemcitabine", "Other chemotherapy"),
        ("docetaxel-background", "Taxane"), ("leuprorelin", "Other antineoplastic"),
    ))},
    "Esophagectomy": (L + 2001, "Procedure", "Procedure", ()),
    "Radiotherapy": (L + 2002, "Procedure", "Procedure", ()),
    "Concurrent radiotherapy": (L + 2003, "Procedure", "Procedure", ()),
    "ECOG performance status": (L + 3001, "Measurement", "Observable Entity", ()),
    "Creatinine clearance": (L + 3002, "Measurement", "Lab Test", ()),
    "Target lesion longest diameter": (L + 3010, "Measurement", "Observable Entity", ()),
    "Non-target lesion status": (L + 3011, "Measurement", "Observable Entity", ()),
    "New lesion": (L + 3012, "Measurement", "Observable Entity", ()),
    "Disease progression": (L + 4001, "Observation", "Clinical Finding", ()),
    "End of treatment": (L + 4002, "Observation", "Observable Entity", ()),
    "Last known alive": (L + 4003, "Observation", "Observable Entity", ()),
    "Adverse event record": (AE_TYPE, "Type Concept", "Type Concept", ()),
    "EHR": (EHR, "Type Concept", "Type Concept", ()),
    "MALE": (8507, "Gender", "Gender", ()),
    "FEMALE": (8532, "Gender", "Gender", ()),
}
# Drugs outside RxNorm: no standard concept, the name in drug_source_value.
NON_STANDARD_DRUGS = ("anlotinib", "camrelizumab", "tislelizumab")


def _cid(name: str) -> int:
    return 0 if name in NON_STANDARD_DRUGS else CONCEPTS[name][0]


OMOP_COLUMNS: dict[str, tuple[str, ...]] = {
    "person": ("person_id", "gender_concept_id", "year_of_birth", "month_of_birth",
               "day_of_birth", "person_source_value"),
    "observation_period": ("observation_period_id", "person_id",
                           "observation_period_start_date", "observation_period_end_date",
                           "period_type_concept_id"),
    "condition_occurrence": ("condition_occurrence_id", "person_id", "condition_concept_id",
                             "condition_start_date", "condition_end_date",
                             "condition_type_concept_id", "condition_source_value",
                             "condition_status_source_value"),
    "drug_exposure": ("drug_exposure_id", "person_id", "drug_concept_id",
                      "drug_exposure_start_date", "drug_exposure_end_date",
                      "drug_type_concept_id", "quantity", "sig", "drug_source_value"),
    "procedure_occurrence": ("procedure_occurrence_id", "person_id", "procedure_concept_id",
                             "procedure_date", "procedure_end_date",
                             "procedure_type_concept_id", "procedure_source_value"),
    "measurement": ("measurement_id", "person_id", "measurement_concept_id",
                    "measurement_date", "measurement_type_concept_id", "value_as_number",
                    "measurement_source_value", "value_source_value"),
    "observation": ("observation_id", "person_id", "observation_concept_id",
                    "observation_date", "observation_type_concept_id", "value_as_string",
                    "observation_source_value"),
    "death": ("person_id", "death_date", "death_type_concept_id"),
    "episode": ("episode_id", "person_id", "episode_concept_id", "episode_start_date",
                "episode_end_date", "episode_number", "episode_object_concept_id",
                "episode_type_concept_id"),
    "episode_event": ("episode_id", "event_id", "episode_event_field_concept_id"),
}
_ID_COLUMN = {t: c[0] for t, c in OMOP_COLUMNS.items()
              if c[0].endswith("_id") and c[0] != "person_id" and t != "episode_event"}
_DATE_COLUMNS = {c for cols in OMOP_COLUMNS.values() for c in cols if c.endswith("_date")}
_INT_COLUMNS = {c for cols in OMOP_COLUMNS.values() for c in cols
                if c.endswith("_id") or c.endswith("_of_birth") or c == "episode_number"}


def omop_vocabulary() -> dict[str, pd.DataFrame]:
    """The synthetic vocabulary: ``concept`` and ``concept_ancestor`` (transitive closure)."""
    concept = pd.DataFrame(
        [(cid, name, dom, "Local" if cid >= L else "Standard", cls, "S", str(cid))
         for name, (cid, dom, cls, _) in CONCEPTS.items()],
        columns=["concept_id", "concept_name", "domain_id", "vocabulary_id",
                 "concept_class_id", "standard_concept", "concept_code"])
    rows = []
    for name, (cid, *_rest) in CONCEPTS.items():
        rows.append((cid, cid, 0))
        level, frontier = 0, list(CONCEPTS[name][3])
        while frontier:
            level += 1
            rows += [(CONCEPTS[p][0], cid, level) for p in frontier]
            frontier = [g for p in frontier for g in CONCEPTS[p][3]]
    ancestor = pd.DataFrame(rows, columns=["ancestor_concept_id", "descendant_concept_id",
                                           "min_levels_of_separation"])
    ancestor["max_levels_of_separation"] = ancestor["min_levels_of_separation"]
    return {"concept": concept, "concept_ancestor": ancestor}


class _Rows:
    """Row collector: one list per OMOP table, ids assigned when framed."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple]] = {t: [] for t in OMOP_COLUMNS}

    def add(self, table: str, *values) -> None:
        self.rows[table].append(values)

    def frames(self, first_id: int) -> dict[str, pd.DataFrame]:
        out = {}
        for t, cols in OMOP_COLUMNS.items():
            idc = _ID_COLUMN.get(t)
            data = self.rows[t]
            if idc:
                data = [(first_id + i, *r) for i, r in enumerate(data)]
            out[t] = _typed(pd.DataFrame(data, columns=list(cols)))
        return out


def _typed(f: pd.DataFrame) -> pd.DataFrame:
    for c in f.columns:
        if c in _DATE_COLUMNS:
            f[c] = pd.to_datetime(f[c]).astype("datetime64[s]")
        elif c in _INT_COLUMNS:
            f[c] = f[c].astype("int64")
        elif c in ("quantity", "value_as_number"):
            f[c] = f[c].astype("float64")
        else:
            f[c] = f[c].astype(object).where(f[c].notna(), None)
    return f


def _d(x) -> dt.date | None:
    return None if x is None or pd.isna(x) else pd.Timestamp(x).date()


def _birth(index: dt.date, age: int, k: int) -> dt.date:
    """A birth date with completed years of age at ``index`` equal to ``age``."""
    anniversary = dt.date(index.year - age, index.month, min(index.day, 28))
    b = anniversary - dt.timedelta(days=1 + (k * 37) % 300)
    years = index.year - b.year - ((index.month, index.day) < (b.month, b.day))
    assert years == age, (index, age, b)
    return b


_METS = ("liver", "lung", "distant lymph node", "bone", "pleura", "adrenal gland", "peritoneum")
_METS_FULL = tuple(f"Secondary malignant neoplasm of {s}" for s in _METS)
_HISTOLOGY = {"ESCC": "Squamous cell carcinoma of esophagus",
              "adenocarcinoma": "Adenocarcinoma of esophagus",
              "small cell carcinoma": "Small cell carcinoma of esophagus"}
_PRIOR_CHEMO = ("docetaxel", "cisplatin", "paclitaxel", "5-fluorouracil", "irinotecan")
_LESION_CONCEPT = {"TARGET": "Target lesion longest diameter",
                   "NON-TARGET": "Non-target lesion status", "NEW": "New lesion"}


def convert_escc(tables: dict[str, pd.DataFrame], *, first_person_id: int = 1
                 ) -> dict[str, pd.DataFrame]:
    """Convert the canonical tables of :func:`simulate_escc` into OMOP CDM rows.

    Included patients keep every record (administrations, prior and subsequent lines, lesions,
    adverse events). Screen failures, for whom the tabular demo holds only screening
    attributes, get the records that make the OMOP rules remove them at the same step: their
    regimen's exposures on the index date, ``prior_lines`` single-drug chemotherapy lines (no
    PD-1 antibody, so the index is unambiguous) and a progression record when
    ``prior_failure``. Patients with substantially missing records have an observation period
    starting 150 days before the index, and prior lines inside it.
    """
    pat = tables["patients"].reset_index(drop=True)
    ther = {k: g for k, g in tables["therapy"].groupby("subject_id", sort=False)}
    lines = {k: g for k, g in tables["therapy_lines"].groupby("subject_id", sort=False)}
    les = {k: g for k, g in tables["lesions"].groupby("subject_id", sort=False)}
    aes = {k: g for k, g in tables["adverse_events"].groupby("subject_id", sort=False)}
    empty = pd.DataFrame()
    r = _Rows()
    rng = np.random.default_rng([DEFAULT_SEED, 7])
    for k, p in pat.iterrows():
        pid = first_person_id + k
        sid = p["subject_id"]
        index = _d(p["index_date"])
        incomplete = bool(p["records_incomplete"])
        birth = _birth(index, int(p["age"]), pid)
        r.add("person", pid, 8507 if p["sex"] == "M" else 8532, birth.year, birth.month,
              birth.day, sid)
        dates = [index, _d(p["last_alive_date"])]
        mark = {t: len(v) for t, v in r.rows.items()}

        def day(n: int) -> dt.date:
            return index + dt.timedelta(days=n)

        hist = _HISTOLOGY[p["histology"]]
        if p["histology"] == "ESCC" and isinstance(p["primary_site"], str):
            hist = f"Squamous cell carcinoma of {p['primary_site']} third of esophagus"
        r.add("condition_occurrence", pid, _cid(hist), day(-60), None, EHR, hist, None)
        if bool(p["metastatic"]):
            n_sites = 1 if pd.isna(p["n_metastatic_sites"]) else int(p["n_metastatic_sites"])
            for site in rng.permutation(_METS)[:n_sites]:
                name = f"Secondary malignant neoplasm of {site}"
                r.add("condition_occurrence", pid, _cid(name), day(-30), None, EHR, name, None)
        if bool(p["active_brain_metastases"]):
            name = "Secondary malignant neoplasm of brain"
            r.add("condition_occurrence", pid, _cid(name), day(-14), None, EHR, name, None)
        if bool(p["other_malignancy"]):
            name = "Malignant neoplasm of lung"
            r.add("condition_occurrence", pid, _cid(name), day(-120), None, EHR, name, None)
        ecog = "ECOG performance status"
        r.add("measurement", pid, _cid(ecog), day(-100), EHR, float((int(p["ecog"]) + 1) % 4),
              ecog, None)
        r.add("measurement", pid, _cid(ecog), day(-7), EHR, float(p["ecog"]), ecog, None)
        crcl = 75.0 + (pid % 40) if bool(p["organ_function_adequate"]) else 30.0 + pid % 15
        r.add("measurement", pid, _cid("Creatinine clearance"), day(-7), EHR, crcl,
              "Creatinine clearance", None)
        if bool(p["prior_surgery"]):
            r.add("procedure_occurrence", pid, _cid("Esophagectomy"), day(-140 if incomplete
                                                                          else -700),
                  None, EHR, "Esophagectomy")
        if p["radiotherapy"] is True or (not pd.isna(p["radiotherapy"]) and p["radiotherapy"]):
            r.add("procedure_occurrence", pid, _cid("Concurrent radiotherapy"), day(10), day(40),
                  EHR, "Concurrent radiotherapy")
        if sid in ther:
            _regimen_rows(r, pid, ther[sid])
        else:
            _screen_failure_regimen(r, pid, p, index)
        if sid in lines:
            _line_rows(r, pid, lines[sid], dates)
        else:
            _screen_failure_lines(r, pid, p, index, incomplete, dates)
        for _, le in les.get(sid, empty).iterrows():
            src = json.dumps({"lesion_id": le["lesion_id"], "site": le["site"],
                              "nodal": bool(le["nodal"])}, sort_keys=True)
            diam = None if pd.isna(le["diameter"]) else float(le["diameter"])
            nts = None if pd.isna(le["non_target_status"]) else le["non_target_status"]
            r.add("measurement", pid, _cid(_LESION_CONCEPT[le["lesion_type"]]),
                  _d(le["visit_date"]), EHR, diam, src, nts)
            dates.append(_d(le["visit_date"]))
        for _, a in aes.get(sid, empty).iterrows():
            status = json.dumps({"grade": None if pd.isna(a["grade"]) else int(a["grade"]),
                                 "related": bool(a["related"]),
                                 "related_drugs": None if pd.isna(a["related_drugs"])
                                 else a["related_drugs"], "serious": bool(a["serious"])},
                                sort_keys=True)
            r.add("condition_occurrence", pid, 0, _d(a["onset_date"]), _d(a["end_date"]),
                  AE_TYPE, a["ae_term"], status)
            dates += [_d(a["onset_date"]), _d(a["end_date"])]
        r.add("observation", pid, _cid("Last known alive"), _d(p["last_alive_date"]), EHR, None,
              "last known alive")
        if not pd.isna(p["eot_date"]):
            r.add("observation", pid, _cid("End of treatment"), _d(p["eot_date"]), EHR,
                  p["eot_reason"], "end of treatment")
        if not pd.isna(p["death_date"]):
            r.add("death", pid, _d(p["death_date"]), EHR)
        dates += [v for t, n in mark.items() for row in r.rows[t][n:] for v in row
                  if isinstance(v, dt.date)]
        start = day(-150) if incomplete else min(d for d in dates if d) - dt.timedelta(days=400)
        end = max(d for d in dates if d)
        r.add("observation_period", pid, start, end, EHR)
    return r.frames(first_id=first_person_id * 1000)


def _regimen_rows(r: _Rows, pid: int, ther: pd.DataFrame) -> None:
    for _, t in ther.iterrows():
        sig = json.dumps({"cycle": int(t["cycle"]), "planned_dose": float(t["planned_dose"]),
                          "dose_change": t["dose_change"],
                          "dose_change_reason": None if pd.isna(t["dose_change_reason"])
                          else t["dose_change_reason"]}, sort_keys=True)
        r.add("drug_exposure", pid, _cid(t["drug"]), _d(t["start_date"]), _d(t["end_date"]),
              EHR, float(t["dose"]), sig, t["drug"])


def _screen_failure_regimen(r: _Rows, pid: int, p: pd.Series, index: dt.date) -> None:
    reg = p["regimen"]
    drugs = []
    if "anlotinib" in reg:
        drugs.append(("anlotinib", 13, p["anlotinib_start_dose"]))
    if "PD-1" in reg:
        drugs.append((p["pd1_antibody"], 0, 200.0))
    if "chemotherapy" in reg:
        drugs.append(("gemcitabine", 0, None))
    for drug, length, dose in drugs:
        r.add("drug_exposure", pid, _cid(drug), index, index + dt.timedelta(days=length), EHR,
              None if dose is None or pd.isna(dose) else float(dose), None, drug)


def _line_rows(r: _Rows, pid: int, lines: pd.DataFrame, dates: list) -> None:
    for _, ln in lines.iterrows():
        s, e = _d(ln["start_date"]), _d(ln["end_date"])
        if ln["drug"] == "radiotherapy":
            r.add("procedure_occurrence", pid, _cid("Radiotherapy"), s, e, EHR, "radiotherapy")
        else:
            r.add("drug_exposure", pid, _cid(ln["drug"]), s, e, EHR, None, None, ln["drug"])
        if ln["progressed"] is True:
            r.add("observation", pid, _cid("Disease progression"), e, EHR, None, "progression")
        dates += [s, e]


def _screen_failure_lines(r: _Rows, pid: int, p: pd.Series, index: dt.date, incomplete: bool,
                          dates: list) -> None:
    n = int(p["prior_lines"])
    for i in range(n):
        if incomplete:
            s = index - dt.timedelta(days=140 - 30 * i)
        else:
            s = index - dt.timedelta(days=120 * (n - i) + 30)
        e = s + dt.timedelta(days=14)
        drug = _PRIOR_CHEMO[i % len(_PRIOR_CHEMO)]
        r.add("drug_exposure", pid, _cid(drug), s, e, EHR, None, None, drug)
        if bool(p["prior_failure"]) and i == n - 1:
            r.add("observation", pid, _cid("Disease progression"), e, EHR, None, "progression")
        dates += [s, e]


_BACKGROUND = {  # cancer -> (condition concept, drugs given); oesophageal without study drugs
    "lung": ("Malignant neoplasm of lung", ("carboplatin", "pembrolizumab", "anlotinib",
                                            "osimertinib", "docetaxel")),
    "colon": ("Malignant neoplasm of colon", ("oxaliplatin", "capecitabine", "bevacizumab")),
    "breast": ("Malignant neoplasm of breast", ("paclitaxel", "trastuzumab")),
    "stomach": ("Malignant neoplasm of stomach", ("S-1", "oxaliplatin", "nivolumab")),
    "prostate": ("Malignant neoplasm of prostate", ("leuprorelin",)),
    "esophagus": ("Squamous cell carcinoma of middle third of esophagus",
                  ("cisplatin", "5-fluorouracil", "paclitaxel")),
}


def generate_background(rng: np.random.Generator, n: int, first_person_id: int,
                        first_record_id: int) -> dict[str, pd.DataFrame]:
    """``n`` background cancer patients (vectorised; ids from ``first_person_id``).

    Each has one primary cancer, with probability 0.4 one metastasis, up to four drug
    exposures from the drugs of their cancer (lung cancer patients may receive anlotinib and
    pembrolizumab, gastric cancer patients nivolumab: neither has oesophageal cancer, so
    neither is screened; oesophageal cancer patients receive chemotherapy only), one ECOG
    measurement, an observation period and, with probability 0.2, a death.
    """
    pid = np.arange(first_person_id, first_person_id + n, dtype=np.int64)
    cancers = list(_BACKGROUND)
    kind = rng.integers(0, len(cancers), n)
    birth = (np.datetime64("1930-01-01") + rng.integers(0, 70 * 365, n).astype("timedelta64[D]"))
    dx = np.datetime64("2015-01-01") + rng.integers(0, 10 * 365, n).astype("timedelta64[D]")
    gender = np.where(rng.uniform(size=n) < 0.55, 8507, 8532)
    bdate = pd.DatetimeIndex(birth)
    out = {"person": pd.DataFrame({
        "person_id": pid, "gender_concept_id": gender, "year_of_birth": bdate.year,
        "month_of_birth": bdate.month, "day_of_birth": bdate.day,
        "person_source_value": [f"H{i:08d}" for i in pid]})}
    cond_names = np.array([_BACKGROUND[c][0] for c in cancers], dtype=object)[kind]
    cond_ids = np.array([_cid(_BACKGROUND[c][0]) for c in cancers])[kind]
    met = rng.uniform(size=n) < 0.4
    met_idx = rng.integers(0, len(_METS), n)
    met_site = np.array(_METS_FULL, dtype=object)[met_idx]
    cond = pd.DataFrame({
        "person_id": np.concatenate([pid, pid[met]]),
        "condition_concept_id": np.concatenate([cond_ids, np.array(
            [_cid(s) for s in _METS_FULL], dtype=np.int64)[met_idx[met]]]),
        "condition_start_date": np.concatenate([dx, dx[met] + np.timedelta64(20, "D")]),
        "condition_source_value": np.concatenate([cond_names, met_site[met]])})
    cond["condition_end_date"] = pd.NaT
    cond["condition_type_concept_id"] = EHR
    cond["condition_status_source_value"] = None
    n_drugs = rng.integers(0, 5, n)
    d_pid = np.repeat(np.arange(n), n_drugs)
    k = np.concatenate([np.arange(m) for m in n_drugs]) if n_drugs.sum() else np.array([], int)
    width = max(len(_BACKGROUND[c][1]) for c in cancers)
    table = np.array([[_BACKGROUND[c][1][j % len(_BACKGROUND[c][1])] for j in range(width)]
                      for c in cancers], dtype=object)
    n_opt = np.array([len(_BACKGROUND[c][1]) for c in cancers])
    pick = np.floor(rng.uniform(size=len(d_pid)) * n_opt[kind[d_pid]]).astype(int)
    drug = table[kind[d_pid], pick]
    cid = {name: _cid(name) for name in set(table.ravel())}
    d_start = dx[d_pid] + (30 + 90 * k).astype("timedelta64[D]")
    drugs = pd.DataFrame({
        "person_id": pid[d_pid], "drug_concept_id": np.array([cid[x] for x in drug],
                                                             dtype=np.int64),
        "drug_exposure_start_date": d_start,
        "drug_exposure_end_date": d_start + np.timedelta64(21, "D"),
        "drug_type_concept_id": EHR, "quantity": np.nan, "sig": None,
        "drug_source_value": drug})
    meas = pd.DataFrame({"person_id": pid, "measurement_concept_id":
                         _cid("ECOG performance status"), "measurement_date": dx,
                         "measurement_type_concept_id": EHR,
                         "value_as_number": rng.integers(0, 3, n).astype(float),
                         "measurement_source_value": "ECOG performance status",
                         "value_source_value": None})
    last = dx + (30 + 90 * n_drugs + rng.integers(0, 400, n)).astype("timedelta64[D]")
    period = pd.DataFrame({"person_id": pid,
                           "observation_period_start_date": dx - np.timedelta64(365, "D"),
                           "observation_period_end_date": last, "period_type_concept_id": EHR})
    dead = rng.uniform(size=n) < 0.2
    death = pd.DataFrame({"person_id": pid[dead], "death_date": last[dead],
                          "death_type_concept_id": EHR})
    out.update({"condition_occurrence": cond, "drug_exposure": drugs, "measurement": meas,
                "observation_period": period, "death": death})
    next_id = first_record_id
    for t, cols in OMOP_COLUMNS.items():
        f = out.get(t, pd.DataFrame(columns=list(cols)))
        idc = _ID_COLUMN.get(t)
        if idc and idc not in f.columns:
            f.insert(0, idc, np.arange(next_id, next_id + len(f), dtype=np.int64))
            next_id += len(f)
        out[t] = _typed(f[list(cols)].copy())
    return out


def generate_omop_chunks(persons: int = 10_000, *, seed: int = DEFAULT_SEED,
                         chunk_size: int = 100_000) -> Iterator[dict[str, pd.DataFrame]]:
    """Yield the synthetic hospital database chunk by chunk (dicts of OMOP tables).

    The first chunk holds the vocabulary (``concept``, ``concept_ancestor``), the 231
    screened ESCC patients of the demo (person ids 1-231) and background patients; the next
    chunks only background patients. Memory is bounded by ``chunk_size``; the output is a
    pure function of ``(persons, seed, chunk_size)``.
    """
    n_escc = cal.N_SCREENED
    if persons < n_escc:
        raise ValueError(f"persons must be at least {n_escc} (the demo's screened patients)")
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    first = convert_escc(simulate_escc(seed=seed))
    first.update(omop_vocabulary())
    done = n_escc
    for c, start in enumerate(range(0, persons, chunk_size)):
        size = min(chunk_size, persons - start) - (n_escc if c == 0 else 0)
        rng = np.random.default_rng([seed, 99, c])
        bg = generate_background(rng, max(size, 0), done + 1, 10_000_000 + start * 20)
        if c == 0:
            for t, f in bg.items():
                first[t] = pd.concat([first[t], f], ignore_index=True) if len(f) else first[t]
            yield first
        else:
            yield bg
        done += max(size, 0)


_SQL_TYPE = {"int64": "BIGINT", "float64": "DOUBLE", "datetime64[s]": "DATE"}


