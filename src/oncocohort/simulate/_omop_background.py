"""Background patients of the synthetic OMOP database: other cancers and their treatments,
generated vectorised (no per-person Python loop), so a million persons stay fast."""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncocohort.simulate._omop_rows import ID_COLUMN, OMOP_COLUMNS, typed
from oncocohort.simulate._omop_vocabulary import (
    BACKGROUND,
    EHR,
    METASTASIS_NAMES,
    METASTASIS_SITES,
    concept_id,
)

__all__ = ["generate_background"]


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
    cancers = list(BACKGROUND)
    kind = rng.integers(0, len(cancers), n)
    birth = (np.datetime64("1930-01-01") + rng.integers(0, 70 * 365, n).astype("timedelta64[D]"))
    dx = np.datetime64("2015-01-01") + rng.integers(0, 10 * 365, n).astype("timedelta64[D]")
    gender = np.where(rng.uniform(size=n) < 0.55, 8507, 8532)
    bdate = pd.DatetimeIndex(birth)
    out = {"person": pd.DataFrame({
        "person_id": pid, "gender_concept_id": gender, "year_of_birth": bdate.year,
        "month_of_birth": bdate.month, "day_of_birth": bdate.day,
        "person_source_value": [f"H{i:08d}" for i in pid]})}
    cond_names = np.array([BACKGROUND[c][0] for c in cancers], dtype=object)[kind]
    cond_ids = np.array([concept_id(BACKGROUND[c][0]) for c in cancers])[kind]
    met = rng.uniform(size=n) < 0.4
    met_idx = rng.integers(0, len(METASTASIS_SITES), n)
    met_site = np.array(METASTASIS_NAMES, dtype=object)[met_idx]
    cond = pd.DataFrame({
        "person_id": np.concatenate([pid, pid[met]]),
        "condition_concept_id": np.concatenate([cond_ids, np.array(
            [concept_id(s) for s in METASTASIS_NAMES], dtype=np.int64)[met_idx[met]]]),
        "condition_start_date": np.concatenate([dx, dx[met] + np.timedelta64(20, "D")]),
        "condition_source_value": np.concatenate([cond_names, met_site[met]])})
    cond["condition_end_date"] = pd.NaT
    cond["condition_type_concept_id"] = EHR
    cond["condition_status_source_value"] = None
    n_drugs = rng.integers(0, 5, n)
    d_pid = np.repeat(np.arange(n), n_drugs)
    k = np.concatenate([np.arange(m) for m in n_drugs]) if n_drugs.sum() else np.array([], int)
    width = max(len(BACKGROUND[c][1]) for c in cancers)
    table = np.array([[BACKGROUND[c][1][j % len(BACKGROUND[c][1])] for j in range(width)]
                      for c in cancers], dtype=object)
    n_opt = np.array([len(BACKGROUND[c][1]) for c in cancers])
    pick = np.floor(rng.uniform(size=len(d_pid)) * n_opt[kind[d_pid]]).astype(int)
    drug = table[kind[d_pid], pick]
    cid = {name: concept_id(name) for name in set(table.ravel())}
    d_start = dx[d_pid] + (30 + 90 * k).astype("timedelta64[D]")
    drugs = pd.DataFrame({
        "person_id": pid[d_pid], "drug_concept_id": np.array([cid[x] for x in drug],
                                                             dtype=np.int64),
        "drug_exposure_start_date": d_start,
        "drug_exposure_end_date": d_start + np.timedelta64(21, "D"),
        "drug_type_concept_id": EHR, "quantity": np.nan, "sig": None,
        "drug_source_value": drug})
    meas = pd.DataFrame({"person_id": pid, "measurement_concept_id":
                         concept_id("ECOG performance status"), "measurement_date": dx,
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
        idc = ID_COLUMN.get(t)
        if idc and idc not in f.columns:
            f.insert(0, idc, np.arange(next_id, next_id + len(f), dtype=np.int64))
            next_id += len(f)
        out[t] = typed(f[list(cols)].copy())
    return out
