"""Exposure and prior therapy: patient vignettes with the expected values worked out here."""

import numpy as np
import pandas as pd
import pytest

from oncocohort.derive.exposure import (
    EXPOSURE_COLUMNS,
    PRIOR_COLUMNS,
    DrugSchedule,
    derive_exposure,
    derive_prior_therapy,
)

T = pd.Timestamp
REGIMEN = {"anlotinib": DrugSchedule("daily", 12, days_on=14),
           "tislelizumab": DrugSchedule("infusion", 200)}


def _rec(sid, drug, start, end, dose, cycle=None, change=None, reason=None, planned=None):
    return {"subject_id": sid, "drug": drug, "start_date": T(start),
            "end_date": T(end) if end else pd.NaT, "dose": dose, "cycle": cycle,
            "dose_change": change, "dose_change_reason": reason, "planned_dose": planned}


THERAPY = pd.DataFrame([
    # subject 1: anlotinib reduced at cycle 2 and cycle 3 started 29 days after cycle 2
    _rec("1", "anlotinib", "2024-01-01", "2024-01-14", 12.0, 1),
    _rec("1", "anlotinib", "2024-01-22", "2024-02-04", 10.0, 2, "reduction",
         "hand-foot syndrome"),
    _rec("1", "anlotinib", "2024-02-20", "2024-03-04", 10.0, 3),
    _rec("1", "Tislelizumab", "2024-01-01", None, 200.0, 1),
    _rec("1", "Tislelizumab", "2024-01-22", None, 200.0, 2),
    _rec("1", "Tislelizumab", "2024-02-20", None, 200.0, 3, "delay", "neutropenia"),
    _rec("1", "Tislelizumab", "2024-03-12", None, 200.0, 4),
    # subject 2: started at 10 mg (planned 12), one interruption, a delay flagged on time
    _rec("2", "anlotinib", "2024-03-01", "2024-03-14", 10.0, 1, planned=12.0),
    _rec("2", "anlotinib", "2024-03-22", "2024-03-28", 10.0, 2, "interruption", "diarrhoea",
         planned=12.0),
    _rec("2", "tislelizumab", "2024-03-01", None, 200.0),
    _rec("2", "tislelizumab", "2024-03-22", None, 200.0, None, "delay"),
    _rec("2", "paracetamol", "2024-03-01", None, 500.0),  # not in the regimen
])
PATIENTS = pd.DataFrame({
    "subject_id": ["1", "2", "3", "4"],
    "index_date": [T("2024-01-01"), T("2024-03-01"), T("2024-01-01"), T("2024-01-01")],
    "eot_date": [T("2024-03-31"), pd.NaT, pd.NaT, T("2024-09-01")],
    "eot_reason": ["adverse event", None, None, "progression"],
    "death_date": [pd.NaT, pd.NaT, T("2024-05-01"), pd.NaT],
})


@pytest.fixture(scope="module")
def exposure():
    return derive_exposure(THERAPY, PATIENTS, regimen=REGIMEN,
                           data_cutoff="2024-07-01").set_index(["subject_id", "drug"])


def test_one_row_per_subject_and_regimen_drug(exposure):
    assert tuple(exposure.reset_index().columns) == EXPOSURE_COLUMNS
    assert list(exposure.index) == [("1", "anlotinib"), ("1", "Tislelizumab"),
                                    ("2", "anlotinib"), ("2", "tislelizumab")]


@pytest.mark.by_hand
def test_oral_drug_with_a_reduction_and_a_delay(exposure):
    e = exposure.loc[("1", "anlotinib")]
    assert e["n_cycles"] == 3
    assert (e["first_dose_date"], e["last_dose_date"]) == (T("2024-01-01"), T("2024-03-04"))
    # 2024-01-01 .. 2024-03-04: 31 + 29 + 4 days (leap year), first day included
    assert e["treatment_duration_days"] == 64
    assert e["treatment_duration_months"] == pytest.approx(64 / 30.4375, rel=1e-15)
    assert e["cumulative_dose"] == 12 * 14 + 10 * 14 + 10 * 14  # 448 mg
    # period: last cycle start 2024-02-20 is day 50 after 2024-01-01, + 21 = 71 days
    # planned: 12 mg x 14 days per 21-day cycle over 71 days = 568 mg
    assert e["planned_cumulative_dose"] == pytest.approx(568.0, rel=1e-12)
    assert e["relative_dose_intensity"] == pytest.approx(448 / 568, rel=1e-12)
    assert e["starting_dose"] == 12 and e["planned_dose"] == 12
    assert e["n_dose_reductions"] == 1
    assert e["first_reduction_date"] == T("2024-01-22")
    assert e["first_reduction_reason"] == "hand-foot syndrome"
    assert e["n_delays"] == 1  # 2024-01-22 -> 2024-02-20 is 29 days > 21 + 7
    assert e["n_interruptions"] == 0
    assert e["eot_reason"] == "adverse event" and not e["on_treatment_at_cutoff"]


@pytest.mark.by_hand
def test_infusion_delay_counted_once_when_late_and_flagged(exposure):
    e = exposure.loc[("1", "Tislelizumab")]
    assert e["n_cycles"] == 4 and e["cumulative_dose"] == 800
    assert e["n_delays"] == 1
    assert e["treatment_duration_days"] == 72  # 2024-01-01 .. 2024-03-12
    # period 71 + 21 = 92 days; planned 200 mg per 21 days
    assert e["relative_dose_intensity"] == pytest.approx(800 * 21 / (200 * 92), rel=1e-12)


@pytest.mark.by_hand
def test_planned_dose_column_interruption_and_flag_only_delay(exposure):
    a = exposure.loc[("2", "anlotinib")]
    assert a["starting_dose"] == 10 and a["planned_dose"] == 12
    assert a["cumulative_dose"] == 10 * 14 + 10 * 7
    # period (2024-03-22 - 2024-03-01) + 21 = 42 days: 2 cycles x 168 mg planned
    assert a["planned_cumulative_dose"] == pytest.approx(336, rel=1e-12)
    assert a["relative_dose_intensity"] == pytest.approx(210 / 336, rel=1e-12)
    assert a["n_interruptions"] == 1 and a["n_dose_reductions"] == 0
    assert pd.isna(a["first_reduction_date"]) and a["first_reduction_reason"] is None
    t = exposure.loc[("2", "tislelizumab")]
    assert t["n_cycles"] == 2  # no cycle numbers: one per administration
    assert t["n_delays"] == 1  # on time (21 days) but flagged "delay"
    assert a["on_treatment_at_cutoff"] and t["on_treatment_at_cutoff"]


@pytest.mark.by_hand
def test_on_treatment_at_cutoff_rules():
    therapy = pd.DataFrame([_rec(s, "tislelizumab", "2024-01-01", None, 200.0)
                            for s in ("3", "4")])
    e = derive_exposure(therapy, PATIENTS, regimen=REGIMEN, data_cutoff="2024-07-01")
    # 3: no end of treatment recorded but died before the cut-off; 4: ended after it
    assert e.set_index("subject_id")["on_treatment_at_cutoff"].to_dict() == {"3": False,
                                                                               "4": True}


@pytest.mark.by_hand
def test_interruption_at_dose_zero_is_not_a_reduction():
    therapy = pd.DataFrame([
        _rec("3", "anlotinib", "2024-01-01", "2024-01-14", 12.0, 1),
        _rec("3", "anlotinib", "2024-01-22", "2024-01-28", 0.0, 2),
        _rec("3", "anlotinib", "2024-01-29", "2024-02-04", 12.0, 2),
        _rec("3", "anlotinib", "2024-02-12", "2024-02-25", 10.0, 3, None, "proteinuria"),
    ])
    e = derive_exposure(therapy, PATIENTS, regimen=REGIMEN).iloc[0]
    # 12 -> (0: interruption) -> 12 -> 10: one reduction, at cycle 3, found by the dose
    assert e["n_dose_reductions"] == 1 and e["n_interruptions"] == 1
    assert e["first_reduction_date"] == T("2024-02-12")
    assert e["first_reduction_reason"] == "proteinuria"
    assert e["cumulative_dose"] == 12 * 14 + 0 + 12 * 7 + 10 * 14


def test_exposure_errors():
    with pytest.raises(ValueError, match="lacks column.*dose"):
        derive_exposure(THERAPY.drop(columns="dose"), PATIENTS, regimen=REGIMEN)
    bad = THERAPY.assign(subject_id="9")
    with pytest.raises(ValueError, match="not in patients: 9"):
        derive_exposure(bad, PATIENTS, regimen=REGIMEN)
    with pytest.raises(ValueError, match="more than one row for subject.*2"):
        derive_exposure(THERAPY, pd.concat([PATIENTS, PATIENTS.iloc[[1]]]), regimen=REGIMEN)
    with pytest.raises(ValueError, match="kind"):
        DrugSchedule("weekly")


@pytest.mark.by_hand
def test_prior_therapy():
    lines = pd.DataFrame({
        "subject_id": ["1", "1", "1", "3"],
        "setting": ["prior", "prior", "prior", "subsequent"],
        "line": [1, 1, 2, 1],
        "drug": ["cisplatin", "paclitaxel", "camrelizumab", "pembrolizumab"],
        "drug_class": ["platinum", "taxane", "ICI", "ICI"],
        "start_date": [T("2023-03-01"), T("2023-03-01"), T("2023-08-01"), T("2024-06-01")],
        "end_date": [T("2023-07-01"), T("2023-07-01"), T("2023-11-15"), pd.NaT],
    })
    p = derive_prior_therapy(lines, PATIENTS).set_index("subject_id")
    assert tuple(p.reset_index().columns) == PRIOR_COLUMNS
    one = p.loc["1"]
    assert one["n_prior_lines"] == 2
    assert (one["prior_ici"], one["prior_taxane"], one["prior_platinum"],
            one["prior_targeted"]) == ("Y", "Y", "Y", "N")
    assert one["last_prior_ici_date"] == T("2023-11-15")
    assert one["ici_free_interval_days"] == 47  # 15 (Nov) + 31 (Dec) + 1
    assert one["ici_free_interval_months"] == pytest.approx(47 / 30.4375, rel=1e-15)
    three = p.loc["3"]  # only a subsequent line: no prior therapy
    assert three["n_prior_lines"] == 0 and three["prior_ici"] == "N"
    assert pd.isna(three["last_prior_ici_date"]) and np.isnan(three["ici_free_interval_days"])


def test_inputs_not_modified():
    before = THERAPY.copy()
    derive_exposure(THERAPY, PATIENTS, regimen=REGIMEN)
    pd.testing.assert_frame_equal(THERAPY, before)


@pytest.mark.by_hand
def test_interruption_reasons_and_the_adverse_events_they_name():
    """Item 14.7: the reasons of a drug's interruptions (flagged or at dose 0), distinct, in
    date order; the ones that name an adverse event as the safety tables name it (CTCAE:
    "hand-foot syndrome" -> Palmar-plantar erythrodysesthesia syndrome, "diarrhoea" ->
    Diarrhea), and the first reduction's likewise; "patient request" names none."""
    from oncocohort.derive.safety import reason_ae_name

    therapy = pd.DataFrame([
        _rec("3", "anlotinib", "2024-01-01", "2024-01-14", 12.0, 1),
        _rec("3", "anlotinib", "2024-01-22", "2024-01-28", 0.0, 2, None, "patient request"),
        _rec("3", "anlotinib", "2024-01-29", "2024-02-04", 12.0, 2, "interruption",
             "hand-foot syndrome"),
        _rec("3", "anlotinib", "2024-02-12", "2024-02-25", 10.0, 3, "reduction",
             "hand-foot syndrome"),
        _rec("3", "anlotinib", "2024-03-05", "2024-03-10", 10.0, 4, "interruption",
             "patient request"),
        _rec("4", "anlotinib", "2024-01-01", "2024-01-14", 12.0, 1),
    ])
    e = derive_exposure(therapy, PATIENTS, regimen=REGIMEN,
                        reason_ae=reason_ae_name).set_index("subject_id")
    assert e.loc["3", "n_interruptions"] == 3
    assert e.loc["3", "interruption_reasons"] == "patient request; hand-foot syndrome"
    assert e.loc["3", "interruption_aes"] == "Palmar-plantar erythrodysesthesia syndrome"
    assert e.loc["3", "first_reduction_ae"] == "Palmar-plantar erythrodysesthesia syndrome"
    assert e.loc["4", "interruption_reasons"] is None and e.loc["4", "interruption_aes"] is None
    # without the mapping the AE columns are empty, the recorded reasons stay
    plain = derive_exposure(therapy, PATIENTS, regimen=REGIMEN).set_index("subject_id")
    assert plain.loc["3", "interruption_aes"] is None
    assert plain.loc["3", "interruption_reasons"] == "patient request; hand-foot syndrome"
    assert reason_ae_name("diarrhoea") == "Diarrhea"
