"""Named dates and the generic time-to-event derivation: patient vignettes typed by hand."""

import pandas as pd
import pytest

from oncocohort.derive.dates import derive_named_dates
from oncocohort.derive.endpoints import (
    DOR,
    OS,
    PFS,
    TTD,
    TTE_COLUMNS,
    Endpoint,
    TimeOptions,
    derive_param_tte,
    derive_params_tte,
    ttr_endpoint,
)

T = pd.Timestamp
DAYS = TimeOptions(unit="days")


def _patients(**cols):
    base = {"subject_id": ["A"], "index_date": [T("2024-01-01")],
            "last_alive_date": [T("2024-12-31")]}
    base.update(cols)
    return pd.DataFrame(base)


def _best(sid, pd_=None, resp=None, laa=None, la=None, responder="N"):
    return pd.DataFrame({
        "subject_id": sid, "first_pd_date": pd.to_datetime(pd_),
        "first_response_date": pd.to_datetime(resp),
        "last_adequate_assessment_date": pd.to_datetime(laa),
        "last_assessment_date": pd.to_datetime(la), "responder": responder})


# --------------------------------------------------------------------------- named dates
@pytest.mark.by_hand
def test_named_dates_collects_every_source():
    patients = pd.DataFrame({
        "subject_id": ["1", "2"],
        "index_date": [T("2024-01-01"), T("2024-02-01")],
        "last_alive_date": [T("2024-09-01"), T("2024-05-01")],
        "death_date": [pd.NaT, T("2024-05-01")],
        "eot_date": [pd.NaT, T("2024-04-20")],
        "data_cutoff": [pd.NaT, T("2024-08-01")],
        "surgery_date": [T("2023-06-01"), pd.NaT],
    })
    best = _best(["2", "1"], pd_=[None, "2024-06-10"], resp=["2024-03-01", "2024-03-05"],
                 laa=["2024-04-10", "2024-06-10"], la=["2024-04-10", "2024-07-01"],
                 responder=["N", "Y"])
    lines = pd.DataFrame({"subject_id": ["1", "1", "1"],
                          "setting": ["prior", "subsequent", "subsequent"],
                          "start_date": [T("2023-01-01"), T("2024-07-15"), T("2024-07-01")]})
    d = derive_named_dates(patients, best, lines, data_cutoff="2024-10-01",
                           patient_dates=["patients.surgery_date"]).set_index("subject_id")
    assert list(d.index) == ["1", "2"]
    assert d.loc["1", "progression"] == T("2024-06-10")
    assert d.loc["1", "first_response"] == T("2024-03-05")
    assert pd.isna(d.loc["2", "first_response"])  # not a responder
    assert d.loc["1", "last_assessment"] == T("2024-07-01")
    assert d.loc["1", "new_therapy"] == T("2024-07-01")  # earliest subsequent line
    assert pd.isna(d.loc["2", "new_therapy"])
    assert d.loc["1", "data_cutoff"] == T("2024-10-01")  # study cut-off fills the gap
    assert d.loc["2", "data_cutoff"] == T("2024-08-01")  # per-patient cut-off wins
    assert d.loc["2", "eot"] == T("2024-04-20")
    assert d.loc["1", "patients.surgery_date"] == T("2023-06-01")
    assert d.loc["1", "responder"] == "Y" and d.loc["2", "responder"] == "N"


@pytest.mark.by_hand
def test_named_dates_without_assessments_use_hospital_progression_date():
    d = derive_named_dates(_patients(progression_date=[T("2024-05-05")]))
    assert d.loc[0, "progression"] == T("2024-05-05")
    assert "last_adequate_before_progression" not in d


@pytest.mark.by_hand
def test_last_adequate_dates_from_visits():
    visits = pd.DataFrame({
        "subject_id": ["A"] * 5,
        "assessment_date": pd.to_datetime(["2024-02-01", "2024-03-01", "2024-04-01",
                                           "2024-05-01", "2024-06-01"]),
        "response": ["SD", "SD", "NE", "PD", "SD"]})
    best = _best(["A"], pd_=["2024-05-01"], laa=["2024-06-01"], la=["2024-06-01"])
    lines = pd.DataFrame({"subject_id": ["A"], "setting": ["subsequent"],
                          "start_date": [T("2024-04-01")]})
    d = derive_named_dates(_patients(), best, lines, assessments=visits)
    # NE on 04-01 is not adequate: last adequate strictly before PD (05-01) is 03-01
    assert d.loc[0, "last_adequate_before_progression"] == T("2024-03-01")
    # on or before new therapy (04-01): 03-01 again (04-01 is NE)
    assert d.loc[0, "last_adequate_before_new_therapy"] == T("2024-03-01")


def test_named_dates_errors():
    with pytest.raises(ValueError, match="lacks column.*last_alive_date"):
        derive_named_dates(pd.DataFrame({"subject_id": ["A"], "index_date": [T("2024-01-01")]}))
    two = pd.concat([_patients(), _patients()])
    with pytest.raises(ValueError, match="more than one row for subject.*A"):
        derive_named_dates(two)
    with pytest.raises(ValueError, match="not in patients: B"):
        derive_named_dates(_patients(), _best(["B"]))


# --------------------------------------------------------------------------- endpoints
def _dates(**cols):
    n = len(next(iter(cols.values())))
    base = {"subject_id": [str(i + 1) for i in range(n)], "responder": ["N"] * n}
    for k, v in cols.items():
        base[k] = pd.to_datetime(v) if k != "responder" else v
    return pd.DataFrame(base)


@pytest.mark.by_hand
def test_os_event_and_censoring_and_output_shape():
    d = _dates(index=["2024-01-01", "2024-01-01"], death=["2024-03-01", None],
               last_alive=["2024-03-01", "2024-06-30"])
    r = derive_param_tte(d, OS, options=DAYS)
    assert tuple(r.columns) == TTE_COLUMNS
    # 1: death 2024-03-01 = day 61 counting 2024-01-01 as day 1 (31 + 29 + 1)
    assert r.loc[0, ["cnsr", "event", "aval_days", "evntdesc"]].tolist() == [0, 1, 61, "death"]
    assert r.loc[0, "cnsdtdsc"] is None
    # 2: censored at last alive 2024-06-30: 182 days (leap year: 31+29+31+30+31+30)
    assert r.loc[1, ["cnsr", "aval_days", "cnsdtdsc"]].tolist() == [1, 182, "last_alive"]
    assert r.loc[1, "evntdesc"] == "censored: last_alive"
    assert (r["paramcd"] == "os").all() and (r["param"] == "Overall survival").all()


@pytest.mark.by_hand
def test_censoring_at_latest_censoring_date():
    # no assessment: falls back to index (aval 1); assessment after index: that date
    d = _dates(index=["2024-01-01", "2024-01-01"], progression=[None, None], death=[None, None],
               last_adequate_assessment=[None, "2024-02-15"])
    r = derive_param_tte(d, PFS, options=DAYS)
    assert r["adt"].tolist() == [T("2024-01-01"), T("2024-02-15")]
    assert r["cnsdtdsc"].tolist() == ["index", "last_adequate_assessment"]
    assert r["aval_days"].tolist() == [1.0, 46.0]


@pytest.mark.by_hand
def test_earliest_event_and_tie_goes_to_first_listed_source():
    d = _dates(index=["2024-01-01"] * 2, progression=["2024-04-01", "2024-05-01"],
               death=["2024-03-01", "2024-05-01"], last_adequate_assessment=[None, None])
    r = derive_param_tte(d, PFS, options=DAYS)
    assert r["adt"].tolist() == [T("2024-03-01"), T("2024-05-01")]
    assert r["evntdesc"].tolist() == ["death", "progression"]


@pytest.mark.by_hand
def test_day_count_and_month_conversion():
    d = _dates(index=["2024-01-01"], death=["2024-01-31"], last_alive=["2024-01-31"])
    admiral = derive_param_tte(d, OS, options=TimeOptions(unit="months"))
    diff = derive_param_tte(d, OS, options=TimeOptions(unit="months", day_count="difference"))
    assert admiral.loc[0, "aval_days"] == 31 and diff.loc[0, "aval_days"] == 30
    assert admiral.loc[0, "aval"] == pytest.approx(31 / 30.4375, rel=1e-15)  # same float ops
    assert diff.loc[0, "aval"] == pytest.approx(30 / 30.4375, rel=1e-15)
    assert admiral.loc[0, "unit"] == "months"
    weeks = derive_param_tte(d, OS, options=TimeOptions(unit="weeks", day_count="difference"))
    years = derive_param_tte(d, OS, options=TimeOptions(unit="years", days_per_month=30))
    assert weeks.loc[0, "aval"] == pytest.approx(30 / 7, rel=1e-15)
    assert years.loc[0, "aval"] == pytest.approx(31 / 360, rel=1e-15)


@pytest.mark.by_hand
def test_death_after_two_missed_assessments_is_censored_at_last_assessment():
    pfs = Endpoint("pfs", "PFS", "index", ("progression", "death"),
                   ("last_adequate_assessment", "index"), missed_assessments=2,
                   assessment_interval_days=42)
    d = _dates(index=["2024-01-01"] * 4, progression=[None, None, "2024-07-01", "2024-06-01"],
               death=["2024-06-01", "2024-04-15", None, None],
               last_adequate_assessment=["2024-02-12", "2024-02-12", "2024-07-01",
                                         "2024-08-01"],
               last_adequate_before_progression=["2024-02-12", "2024-02-12", "2024-05-20",
                                                 "2024-02-12"])
    r = derive_param_tte(d, pfs, options=DAYS)
    # 1: death 110 days after the last assessment (> 2 x 42 = 84): censored 2024-02-12
    assert r.loc[0, ["adt", "cnsr", "cnsdtdsc"]].tolist() == [T("2024-02-12"), 1,
                                                            "missed assessments"]
    # 2: death 63 days after it (<= 84): an event
    assert r.loc[1, ["adt", "cnsr"]].tolist() == [T("2024-04-15"), 0]
    # 3: PD 42 days after the previous adequate assessment: an event (gap measured to the
    #    last adequate assessment *before* the PD, not to the PD visit itself)
    assert r.loc[2, ["adt", "cnsr"]].tolist() == [T("2024-07-01"), 0]
    # 4: PD 110 days after the previous adequate assessment, a later visit (08-01) does not
    #    close the gap: censored at 2024-02-12
    assert r.loc[3, ["adt", "cnsr", "cnsdtdsc"]].tolist() == [T("2024-02-12"), 1,
                                                            "missed assessments"]


@pytest.mark.by_hand
def test_progression_after_new_therapy_censored_at_last_adequate_before_it():
    pfs = Endpoint("pfs", "PFS", "index", ("progression", "death"),
                   ("last_adequate_assessment", "index"), censor_at_new_therapy=True)
    d = _dates(index=["2024-01-01"] * 3, progression=["2024-06-01", "2024-03-01", None],
               death=[None] * 3, new_therapy=["2024-05-01", "2024-05-01", "2024-05-01"],
               last_adequate_assessment=["2024-06-01", "2024-03-01", "2024-08-01"],
               last_adequate_before_new_therapy=["2024-04-10", "2024-03-01", None])
    r = derive_param_tte(d, pfs, options=DAYS)
    assert r.loc[0, ["adt", "cnsr", "cnsdtdsc"]].tolist() == [T("2024-04-10"), 1, "new therapy"]
    assert r.loc[1, ["adt", "cnsr"]].tolist() == [T("2024-03-01"), 0]  # PD before new therapy
    # 3: no event, no adequate assessment before new therapy: censored at index
    assert r.loc[2, ["adt", "cnsr", "cnsdtdsc"]].tolist() == [T("2024-01-01"), 1, "new therapy"]
    plain = derive_param_tte(d, PFS, options=DAYS)
    assert plain["cnsr"].tolist() == [0, 0, 1]


@pytest.mark.by_hand
def test_events_after_data_cutoff_are_censored_at_cutoff():
    d = _dates(index=["2024-01-01"] * 3, death=["2024-08-01", "2024-05-01", None],
               last_alive=["2024-08-01", "2024-05-01", "2024-09-01"],
               data_cutoff=["2024-07-01"] * 3)
    r = derive_param_tte(d, OS, options=DAYS)
    assert r["adt"].tolist() == [T("2024-07-01"), T("2024-05-01"), T("2024-07-01")]
    assert r["cnsr"].tolist() == [1, 0, 1]
    assert r["cnsdtdsc"].tolist() == ["data cut-off", None, "last_alive"]


@pytest.mark.by_hand
def test_dor_only_responders_and_ttr_population_option():
    d = _dates(index=["2024-01-01"] * 2, first_response=["2024-02-01", None],
               progression=["2024-04-01", None], death=[None, None],
               last_adequate_assessment=["2024-04-01", "2024-03-01"], responder=["Y", "N"])
    dor = derive_param_tte(d.reset_index(), DOR, options=DAYS)
    assert dor["subject_id"].tolist() == ["1"]
    assert dor.loc[0, ["start_date", "adt", "aval_days"]].tolist() == [
        T("2024-02-01"), T("2024-04-01"), 61.0]
    ttr_all = derive_param_tte(d, ttr_endpoint("all"), options=DAYS)
    assert ttr_all["cnsr"].tolist() == [0, 1]
    assert ttr_all.loc[1, "adt"] == T("2024-03-01")  # non-responder censored at last assessment
    ttr_resp = derive_param_tte(d, ttr_endpoint("responders"), options=DAYS)
    assert ttr_resp["subject_id"].tolist() == ["1"] and ttr_resp.loc[0, "aval_days"] == 32


@pytest.mark.by_hand
def test_ttd_on_treatment_censored_at_last_alive():
    d = _dates(index=["2024-01-01"] * 2, eot=["2024-03-10", None], death=[None, None],
               last_alive=["2024-06-01", "2024-06-01"])
    r = derive_param_tte(d, TTD, options=DAYS)
    assert r["cnsr"].tolist() == [0, 1]
    assert r["adt"].tolist() == [T("2024-03-10"), T("2024-06-01")]


def test_endpoint_and_option_validation():
    with pytest.raises(ValueError, match="unknown named date 'progresion'"):
        Endpoint("pfs", "PFS", "index", ("progresion",), ("index",))
    with pytest.raises(ValueError, match="needs at least one censoring source"):
        Endpoint("pfs", "PFS", "index", ("death",), ())
    with pytest.raises(ValueError, match="assessment_interval_days"):
        Endpoint("pfs", "PFS", "index", ("death",), ("index",), missed_assessments=2)
    with pytest.raises(ValueError, match="unit must be"):
        TimeOptions(unit="fortnights")
    with pytest.raises(ValueError, match="day_count"):
        TimeOptions(day_count="sas")
    Endpoint("x", "X", "patients.surgery_date", ("death",), ("index",))  # accepted


def test_derivation_errors_name_the_subjects():
    d = _dates(index=["2024-01-01", None], death=[None, None], last_alive=["2024-02-01"] * 2)
    with pytest.raises(ValueError, match=r"no index date for subject\(s\) 2"):
        derive_param_tte(d, OS)
    d = _dates(index=["2024-01-01"], death=["2023-12-01"], last_alive=["2023-12-01"])
    with pytest.raises(ValueError, match=r"event before index for subject\(s\) 1"):
        derive_param_tte(d, OS)
    pfs = Endpoint("pfs", "PFS", "index", ("progression",), ("index",),
                   censor_at_new_therapy=True)
    d = _dates(index=["2024-01-01"], progression=[None], new_therapy=[None])
    with pytest.raises(ValueError, match="last_adequate_before_new_therapy.*assessments"):
        derive_param_tte(d, pfs)


def test_input_frame_is_not_modified():
    d = _dates(index=["2024-01-01"], death=["2024-08-01"], last_alive=["2024-08-01"],
               data_cutoff=["2024-07-01"])
    before = d.copy()
    derive_param_tte(d, OS)
    pd.testing.assert_frame_equal(d, before)


def test_endpoint_from_spec_block_and_stacking():
    block = {"label": "Progression-free survival", "start": "index",
             "events": ["progression", "death"], "censor": ["last_adequate_assessment", "index"],
             "missed_assessments": 2, "assessment_interval_days": 42,
             "censor_at_new_therapy": False}
    pfs = Endpoint.from_spec("pfs", block)
    assert pfs == Endpoint("pfs", "Progression-free survival", "index",
                           ("progression", "death"), ("last_adequate_assessment", "index"),
                           missed_assessments=2, assessment_interval_days=42)
    with pytest.raises(ValueError, match="unknown key.*censor_at_new_theraphy"):
        Endpoint.from_spec("pfs", {**block, "censor_at_new_theraphy": True})
    with pytest.raises(ValueError, match="missing key.*censor"):
        Endpoint.from_spec("os", {"start": "index", "events": ["death"]})
    assert Endpoint.from_spec("os", {"events": ["death"], "censor": ["last_alive"]}) == Endpoint(
        "os", "os", "index", ("death",), ("last_alive",))
    d = _dates(index=["2024-01-01"] * 2, death=["2024-03-01", None],
               last_alive=["2024-03-01", "2024-04-01"], progression=[None, "2024-02-01"],
               last_adequate_assessment=[None, "2024-02-01"])
    both = derive_params_tte(d, [OS, PFS], options=DAYS)
    assert both[["subject_id", "paramcd"]].values.tolist() == [
        ["1", "os"], ["2", "os"], ["1", "pfs"], ["2", "pfs"]]
    assert both["event"].tolist() == [1, 0, 1, 1]
    with pytest.raises(ValueError, match="unique"):
        derive_params_tte(d, [OS, OS])


@pytest.mark.by_hand
def test_named_dates_from_best_response_of_response_module():
    """Feeds the real best-response derivation (another module) into the named dates."""
    from oncocohort.derive.response import derive_best_response

    patients = pd.DataFrame({"subject_id": ["A", "B"], "index_date": [T("2024-01-01")] * 2,
                             "last_alive_date": [T("2024-09-01")] * 2})
    overall = pd.DataFrame({
        "subject_id": ["A", "A", "A", "B", "B"],
        "assessment_date": pd.to_datetime(["2024-02-12", "2024-03-25", "2024-05-06",
                                           "2024-02-12", "2024-03-25"]),
        "response": ["PR", "PR", "PD", "SD", "NE"]})
    best = derive_best_response(overall, patients)
    d = derive_named_dates(patients, best, assessments=overall).set_index("subject_id")
    assert d.loc["A", ["first_response", "progression", "last_adequate_before_progression"]
                 ].tolist() == [T("2024-02-12"), T("2024-05-06"), T("2024-03-25")]
    assert d.loc["A", "responder"] == "Y" and d.loc["B", "responder"] == "N"
    assert d.loc["B", "last_adequate_assessment"] == T("2024-02-12")  # NE is not adequate
    conf = derive_named_dates(patients, best, confirmed=True).set_index("subject_id")
    assert conf.loc["A", "first_response"] == T("2024-02-12")  # PR confirmed 42 days later
    dor = derive_param_tte(d.reset_index(), DOR, options=DAYS)
    assert dor[["subject_id", "aval_days", "cnsr"]].values.tolist() == [["A", 85.0, 0]]
