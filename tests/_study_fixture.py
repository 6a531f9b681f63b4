"""A hand-made 12-patient DerivedStudy shared by the analysis and report tests.

Every number is typed here so the expected results can be worked out by hand in the tests.
Imported as ``_study_fixture`` (``tests/`` is on the test path, see ``pyproject.toml``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncocohort.analysis import StudyAnalysis, analyse_study
from oncocohort.derive.study import DerivedStudy, derive_subject_level
from oncocohort.derive.swimmer import derive_swimmer
from oncocohort.spec.model import StudySpec
from oncocohort.study.options import StudyOptions

IDS = [f"P{i:02d}" for i in range(1, 13)]
REF = pd.Timestamp("2024-01-01")


def make_spec(**outputs) -> StudySpec:
    return StudySpec.model_validate({
        "study": {"name": "Test study", "data_cutoff": "2025-01-01"},
        "sources": {"patients": {"file": "patients.csv"}},
        "endpoints": {
            "os": {"label": "Overall survival", "events": ["death"], "censor": ["last_alive"]},
            "pfs": {"label": "Progression-free survival", "events": ["progression", "death"],
                    "censor": ["last_adequate_assessment"]},
            "dor": {"label": "Duration of response", "population": "responders",
                    "start": "first_response", "events": ["progression", "death"],
                    "censor": ["last_adequate_assessment"]},
        },
        "landmarks": [6, 12],
        "subgroups": [{"variable": "sex", "label": "Sex"},
                      {"variable": "ecog_group", "label": "ECOG",
                       "derive": {"from": "ecog", "cut": [0, 1], "labels": ["0", "1-2"]}}],
        "outputs": outputs,
    })


# subject: age, sex, ecog, bor, best % change, os months, os event, pfs months, pfs event
_ROWS = [
    ("P01", 55.0, "M", 0, "PR", -45.0, 20.0, 0, 14.0, 1),
    ("P02", 61.0, "M", 0, "PR", -35.0, 18.0, 1, 9.0, 1),
    ("P03", 70.0, "F", 1, "SD", -10.0, 15.0, 1, 7.0, 1),
    ("P04", 48.0, "F", 0, "SD", 5.0, 14.0, 0, 14.0, 0),
    ("P05", 66.0, "M", 1, "SD", 12.0, 11.0, 1, 5.0, 1),
    ("P06", 72.0, "M", 2, "PD", 30.0, 6.0, 1, 2.0, 1),
    ("P07", 59.0, "F", 1, "PD", 25.0, 8.0, 1, 3.0, 1),
    ("P08", 63.0, "M", 0, "SD", -20.0, 13.0, 1, 8.0, 1),
    ("P09", 67.0, "M", 1, "NE", np.nan, 3.0, 1, 3.0, 1),
    ("P10", 52.0, "F", 0, "CR", -100.0, 24.0, 0, 24.0, 0),
    ("P11", np.nan, "M", 1, "SD", 0.0, 17.0, 0, 16.0, 0),
    ("P12", 75.0, "M", 2, "PD", 40.0, 4.0, 1, 2.0, 1),
]
# DoR of the responders (P01, P02, P10): months from first response, event
_DOR = {"P01": (12.0, 1), "P02": (7.0, 1), "P10": (22.0, 0)}


def make_frames() -> dict[str, pd.DataFrame]:
    cols = ["subject_id", "age", "sex", "ecog", "bor", "best_pct_change", "os", "os_e",
            "pfs", "pfs_e"]
    raw = pd.DataFrame(_ROWS, columns=cols)
    patients = raw[["subject_id", "age", "sex", "ecog"]].copy()
    patients["ecog_group"] = np.where(raw["ecog"] == 0, "0", "1-2")
    patients["index_date"] = REF
    died = raw["os_e"] == 1
    patients["death_date"] = (REF + pd.to_timedelta(raw["os"] * 30.4375, unit="D")).where(died)
    ongoing = raw["subject_id"].isin(["P04", "P10"])
    patients["eot_date"] = (REF + pd.to_timedelta(raw["pfs"] * 30.4375, unit="D")).where(~ongoing)
    patients["eot_reason"] = np.where(ongoing, None, "progression")
    patients.loc[patients.subject_id == "P09", "eot_reason"] = "adverse event"
    best = pd.DataFrame({
        "subject_id": raw["subject_id"], "reference_date": REF,
        "bor": raw["bor"], "best_response": raw["bor"],
        "best_pct_change": raw["best_pct_change"],
        "first_response_date": pd.Series([REF + pd.Timedelta(days=61) if b in ("CR", "PR")
                                          else pd.NaT for b in raw["bor"]]),
        "first_pd_date": (REF + pd.to_timedelta(raw["pfs"] * 30.4375, unit="D")).where(
            raw["pfs_e"] == 1),
    })
    tte = []
    for r in raw.itertuples():
        tte.append((r.subject_id, "os", "Overall survival", r.os, r.os_e, "months"))
        tte.append((r.subject_id, "pfs", "Progression-free survival", r.pfs, r.pfs_e, "months"))
    for s, (t, e) in _DOR.items():
        tte.append((s, "dor", "Duration of response", t, e, "months"))
    tte = pd.DataFrame(tte, columns=["subject_id", "paramcd", "param", "aval", "event", "unit"])
    exposure = pd.DataFrame({
        "subject_id": IDS * 2,
        "drug": ["anlotinib"] * 12 + ["tislelizumab"] * 12,
        "treatment_duration_months": list(raw["pfs"]) + list(raw["pfs"] - 0.5),
        "n_cycles": list((raw["pfs"] * 1.4).round()) * 2,
        "relative_dose_intensity": [1.0, 0.9, 0.8, 1.0, 1.0, 0.7, 1.0, 0.95, 1.0, 1.0, 0.85,
                                    1.0] * 2,
        "n_dose_reductions": [0, 1, 1, 0, 0, 2, 0, 0, 0, 0, 1, 0] + [0] * 12,
        "on_treatment_at_cutoff": list(ongoing) * 2,
    })
    ae = pd.DataFrame([
        # subject, group, grade, related, trtemfl
        ("P01", "Fatigue", 1, True, "Y"), ("P01", "Fatigue", 3, True, "Y"),
        ("P02", "Fatigue", 2, True, "Y"), ("P03", "Fatigue", 1, True, "Y"),
        ("P04", "Fatigue", 2, True, "Y"), ("P05", "Hypertension", 3, True, "Y"),
        ("P06", "Hypertension", 2, True, "Y"), ("P07", "Hypertension", 1, True, "Y"),
        ("P01", "Hypertension", 1, True, "Y"), ("P08", "Rash", 1, True, "Y"),
        ("P09", "Rash", 4, False, "Y"), ("P10", "Rash", 2, True, "N"),
    ], columns=["subject_id", "ae_group", "grade", "related", "trtemfl"])
    ae["term"] = ae["ae_group"]
    ae["soc"] = "General disorders"
    ae["grade"] = ae["grade"].astype("Int64")
    attrition = pd.DataFrame({
        "step": [0, 1, 2], "kind": ["screened", "inclusion", "exclusion"],
        "rule": ["", "escc", "brain"], "label": ["", "ESCC", "Brain metastases"],
        "n_before": [20, 20, 15], "n_excluded": [0, 5, 3], "n_remaining": [20, 15, 12],
    })
    return {"patients": patients, "best_response": best, "tte": tte, "exposure": exposure,
            "ae": ae, "attrition": attrition}


def make_options(**outputs) -> StudyOptions:
    """The fixture study's options (``outputs`` as the spec's ``outputs:`` block)."""
    return StudyOptions.from_spec(make_spec(**outputs))


def make_study() -> DerivedStudy:
    f = make_frames()
    prior = pd.DataFrame()
    return DerivedStudy(
        attrition=f["attrition"], patients=f["patients"],
        subjects=derive_subject_level(f["patients"], prior), visits=pd.DataFrame(),
        best_response=f["best_response"], tte=f["tte"], exposure=f["exposure"],
        prior_therapy=prior, ae=f["ae"],
        swimmer=derive_swimmer(f["best_response"], f["exposure"], patients=f["patients"]))


def make_analysis(**outputs) -> StudyAnalysis:
    """The fixture study analysed with its options."""
    return analyse_study(make_study(), make_options(**outputs).analysis)
