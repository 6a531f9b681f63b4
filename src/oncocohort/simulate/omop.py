"""A synthetic OMOP CDM v5.4 hospital database that contains the demo's 231 screened patients.

The 231 screened ESCC patients of :func:`oncocohort.simulate.simulate_escc` are converted,
record by record, into OMOP tables; around them, ``persons - 231`` background patients with
other cancers (lung, colorectal, breast, gastric, prostate, oesophageal cancer treated without
the studied drugs) and their treatments make a hospital database. The demo's OMOP cohort
definition (``examples/escc-anlotinib-pd1/study-omop.yaml``) finds exactly the 231 screened
patients in it and reproduces the published attrition 231 -> 118 -> 87.

The vocabulary is synthetic and local (:mod:`oncocohort.simulate._omop_vocabulary`): concept
ids from 2,000,000,000 (the range OMOP reserves for site-specific concepts), with a small
``concept_ancestor``; gender (8507, 8532) and the EHR type concept (32817) are the standard
ids. Drugs outside RxNorm (anlotinib, camrelizumab, tislelizumab) get ``drug_concept_id = 0``
and their name in ``drug_source_value``, the usual situation the source-value fallback of a
concept set is for. The background patients are made by
:mod:`oncocohort.simulate._omop_background`.

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

With ``episodes=True`` the lines of therapy are also written as treatment episodes of the
OMOP Oncology extension (``episode`` / ``episode_event``, see
:mod:`oncocohort.simulate._omop_episodes`); by default those tables are empty.

The generator is pure: :func:`generate_omop_chunks` yields dicts of DataFrames, one per chunk
of persons. :func:`oncocohort.write.synthetic.write_omop_duckdb` writes them into a DuckDB
file (all file output is in :mod:`oncocohort.write`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import numpy as np
import pandas as pd

from oncocohort.simulate import _calibration as cal
from oncocohort.simulate._omop_background import generate_background
from oncocohort.simulate._omop_episodes import add_treatment_episodes
from oncocohort.simulate._omop_rows import OMOP_COLUMNS, SQL_TYPE, Rows
from oncocohort.simulate._omop_vocabulary import (
    AE_TYPE,
    CONCEPTS,
    EHR,
    HISTOLOGY,
    LESION_CONCEPT,
    METASTASIS_SITES,
    PRIOR_CHEMO,
    omop_vocabulary,
)
from oncocohort.simulate._omop_vocabulary import concept_id as _cid
from oncocohort.simulate.escc import DEFAULT_SEED, simulate_escc

__all__ = [
    "OMOP_COLUMNS",
    "SQL_TYPE",
    "CONCEPTS",
    "AE_TYPE",
    "DEFAULT_SEED",
    "omop_vocabulary",
    "convert_escc",
    "generate_background",
    "generate_omop_chunks",
]

def _d(x) -> dt.date | None:
    return None if x is None or pd.isna(x) else pd.Timestamp(x).date()


def _birth(index: dt.date, age: int, k: int) -> dt.date:
    """A birth date with completed years of age at ``index`` equal to ``age``."""
    anniversary = dt.date(index.year - age, index.month, min(index.day, 28))
    b = anniversary - dt.timedelta(days=1 + (k * 37) % 300)
    years = index.year - b.year - ((index.month, index.day) < (b.month, b.day))
    assert years == age, (index, age, b)
    return b


def convert_escc(tables: dict[str, pd.DataFrame], *, first_person_id: int = 1,
                 episodes: bool = False) -> dict[str, pd.DataFrame]:
    """Convert the canonical tables of :func:`simulate_escc` into OMOP CDM rows.

    Included patients keep every record (administrations, prior and subsequent lines, lesions,
    adverse events). Screen failures, for whom the tabular demo holds only screening
    attributes, get the records that make the OMOP rules remove them at the same step: their
    regimen's exposures on the index date, ``prior_lines`` single-drug chemotherapy lines (no
    PD-1 antibody, so the index is unambiguous) and a progression record when
    ``prior_failure``. Patients with substantially missing records have an observation period
    starting 150 days before the index, and prior lines inside it.

    With ``episodes``, every line of therapy (and the studied regimen, numbered after the
    prior lines) is also an OMOP treatment episode linked to its records
    (:func:`oncocohort.simulate._omop_episodes.add_treatment_episodes`); the other tables are
    the same as without.
    """
    pat = tables["patients"].reset_index(drop=True)
    by = {name: {k: g for k, g in tables[name].groupby("subject_id", sort=False)}
          for name in ("therapy", "therapy_lines", "lesions", "adverse_events")}
    r = Rows()
    rng = np.random.default_rng([DEFAULT_SEED, 7])
    for k, p in pat.iterrows():
        pid = first_person_id + k
        sid = p["subject_id"]
        index = _d(p["index_date"])
        birth = _birth(index, int(p["age"]), pid)
        r.add("person", pid, 8507 if p["sex"] == "M" else 8532, birth.year, birth.month,
              birth.day, sid)
        mark = {t: len(v) for t, v in r.rows.items()}
        _baseline_rows(r, pid, p, index, rng)
        if sid in by["therapy"]:
            regimen = _regimen_rows(r, pid, by["therapy"][sid])
        else:
            regimen = _screen_failure_regimen(r, pid, p, index)
        if sid in by["therapy_lines"]:
            lines = _line_rows(r, pid, by["therapy_lines"][sid])
        else:
            lines = _screen_failure_lines(r, pid, p, index)
        if episodes:
            prior = [n for n, (setting, _) in lines.items() if setting == "prior"]
            numbered = {n: recs for n, (_, recs) in lines.items()}
            numbered[max(prior, default=0) + 1] = regimen
            add_treatment_episodes(r, pid, numbered)
        _outcome_rows(r, pid, p, by["lesions"].get(sid), by["adverse_events"].get(sid))
        dates = [index, _d(p["last_alive_date"])]
        dates += [v for t, n in mark.items() for row in r.rows[t][n:] for v in row
                  if isinstance(v, dt.date)]
        if bool(p["records_incomplete"]):
            start = index - dt.timedelta(days=150)
        else:
            start = min(d for d in dates if d) - dt.timedelta(days=400)
        r.add("observation_period", pid, start, max(d for d in dates if d), EHR)
    return r.frames(first_id=first_person_id * 1000)


def _baseline_rows(r: Rows, pid: int, p: pd.Series, index: dt.date,
                   rng: np.random.Generator) -> None:
    """Diagnoses, ECOG, creatinine clearance, surgery and concurrent radiotherapy."""

    def day(n: int) -> dt.date:
        return index + dt.timedelta(days=n)

    hist = HISTOLOGY[p["histology"]]
    if p["histology"] == "ESCC" and isinstance(p["primary_site"], str):
        hist = f"Squamous cell carcinoma of {p['primary_site']} third of esophagus"
    r.add("condition_occurrence", pid, _cid(hist), day(-60), None, EHR, hist, None)
    if bool(p["metastatic"]):
        n_sites = 1 if pd.isna(p["n_metastatic_sites"]) else int(p["n_metastatic_sites"])
        for site in rng.permutation(METASTASIS_SITES)[:n_sites]:
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
        r.add("procedure_occurrence", pid, _cid("Esophagectomy"),
              day(-140 if bool(p["records_incomplete"]) else -700), None, EHR, "Esophagectomy")
    if p["radiotherapy"] is True or (not pd.isna(p["radiotherapy"]) and p["radiotherapy"]):
        r.add("procedure_occurrence", pid, _cid("Concurrent radiotherapy"), day(10), day(40),
              EHR, "Concurrent radiotherapy")


def _outcome_rows(r: Rows, pid: int, p: pd.Series, lesions: pd.DataFrame | None,
                  aes: pd.DataFrame | None) -> None:
    """RECIST lesions, adverse events, last known alive, end of treatment, death."""
    for _, le in (lesions if lesions is not None else pd.DataFrame()).iterrows():
        src = json.dumps({"lesion_id": le["lesion_id"], "site": le["site"],
                          "nodal": bool(le["nodal"])}, sort_keys=True)
        diam = None if pd.isna(le["diameter"]) else float(le["diameter"])
        nts = None if pd.isna(le["non_target_status"]) else le["non_target_status"]
        r.add("measurement", pid, _cid(LESION_CONCEPT[le["lesion_type"]]),
              _d(le["visit_date"]), EHR, diam, src, nts)
    for _, a in (aes if aes is not None else pd.DataFrame()).iterrows():
        status = json.dumps({"grade": None if pd.isna(a["grade"]) else int(a["grade"]),
                             "related": bool(a["related"]),
                             "related_drugs": None if pd.isna(a["related_drugs"])
                             else a["related_drugs"], "serious": bool(a["serious"])},
                            sort_keys=True)
        r.add("condition_occurrence", pid, 0, _d(a["onset_date"]), _d(a["end_date"]),
              AE_TYPE, a["ae_term"], status)
    r.add("observation", pid, _cid("Last known alive"), _d(p["last_alive_date"]), EHR,
          None, "last known alive")
    if not pd.isna(p["eot_date"]):
        r.add("observation", pid, _cid("End of treatment"), _d(p["eot_date"]), EHR,
              p["eot_reason"], "end of treatment")
    if not pd.isna(p["death_date"]):
        r.add("death", pid, _d(p["death_date"]), EHR)


_Records = list[tuple[str, int]]  # (table, position) of drug_exposure/procedure rows
_Lines = dict[int, tuple[str, _Records]]  # line number -> (setting, records)


def _regimen_rows(r: Rows, pid: int, ther: pd.DataFrame) -> _Records:
    out = []
    for _, t in ther.iterrows():
        sig = json.dumps({"cycle": int(t["cycle"]), "planned_dose": float(t["planned_dose"]),
                          "dose_change": t["dose_change"],
                          "dose_change_reason": None if pd.isna(t["dose_change_reason"])
                          else t["dose_change_reason"]}, sort_keys=True)
        out.append(("drug_exposure", r.add(
            "drug_exposure", pid, _cid(t["drug"]), _d(t["start_date"]), _d(t["end_date"]),
            EHR, float(t["dose"]), sig, t["drug"])))
    return out


def _screen_failure_regimen(r: Rows, pid: int, p: pd.Series, index: dt.date) -> _Records:
    reg = p["regimen"]
    drugs = []
    if "anlotinib" in reg:
        drugs.append(("anlotinib", 13, p["anlotinib_start_dose"]))
    if "PD-1" in reg:
        drugs.append((p["pd1_antibody"], 0, 200.0))
    if "chemotherapy" in reg:
        drugs.append(("gemcitabine", 0, None))
    return [("drug_exposure", r.add(
        "drug_exposure", pid, _cid(drug), index, index + dt.timedelta(days=length), EHR,
        None if dose is None or pd.isna(dose) else float(dose), None, drug))
        for drug, length, dose in drugs]


def _line_rows(r: Rows, pid: int, lines: pd.DataFrame) -> _Lines:
    out: _Lines = {}
    for _, ln in lines.iterrows():
        s, e = _d(ln["start_date"]), _d(ln["end_date"])
        if ln["drug"] == "radiotherapy":
            rec = ("procedure_occurrence", r.add("procedure_occurrence", pid,
                                                 _cid("Radiotherapy"), s, e, EHR,
                                                 "radiotherapy"))
        else:
            rec = ("drug_exposure", r.add("drug_exposure", pid, _cid(ln["drug"]), s, e, EHR,
                                          None, None, ln["drug"]))
        out.setdefault(int(ln["line"]), (ln["setting"], []))[1].append(rec)
        if ln["progressed"] is True:
            r.add("observation", pid, _cid("Disease progression"), e, EHR, None,
                  "progression")
    return out


def _screen_failure_lines(r: Rows, pid: int, p: pd.Series, index: dt.date) -> _Lines:
    n = int(p["prior_lines"])
    out: _Lines = {}
    for i in range(n):
        if bool(p["records_incomplete"]):
            s = index - dt.timedelta(days=140 - 30 * i)
        else:
            s = index - dt.timedelta(days=120 * (n - i) + 30)
        e = s + dt.timedelta(days=14)
        drug = PRIOR_CHEMO[i % len(PRIOR_CHEMO)]
        out[i + 1] = ("prior", [("drug_exposure", r.add("drug_exposure", pid, _cid(drug), s, e,
                                                        EHR, None, None, drug))])
        if bool(p["prior_failure"]) and i == n - 1:
            r.add("observation", pid, _cid("Disease progression"), e, EHR, None,
                  "progression")
    return out


def generate_omop_chunks(persons: int = 10_000, *, seed: int = DEFAULT_SEED,
                         chunk_size: int = 100_000, episodes: bool = False
                         ) -> Iterator[dict[str, pd.DataFrame]]:
    """Yield the synthetic hospital database chunk by chunk (dicts of OMOP tables).

    The first chunk holds the vocabulary (``concept``, ``concept_ancestor``), the 231
    screened ESCC patients of the demo (person ids 1-231) and background patients; the next
    chunks only background patients. Memory is bounded by ``chunk_size``; the output is a
    pure function of ``(persons, seed, chunk_size, episodes)``. With ``episodes`` the
    screened patients' lines of therapy are also written as OMOP treatment episodes
    (``episode``, ``episode_event``); every other table is unchanged.
    """
    n_escc = cal.N_SCREENED
    if persons < n_escc:
        raise ValueError(f"persons must be at least {n_escc} (the demo's screened patients)")
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    first = convert_escc(simulate_escc(seed=seed), episodes=episodes)
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
