"""Best overall response: patient vignettes, one synthetic subject per rule.

Tier: ``by_hand``. Every subject starts on 2024-01-01 (day 0); records are given as
(day, response); the expected values are typed from the rule the vignette names.
Default options: SD window 42 days, confirmation 28 days, at most 1 NE between.
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.derive.recist import ResponseOptions, derive_visit_response
from oncocohort.derive.response import BEST_RESPONSE_COLUMNS, derive_best_response
from oncocohort.problems import InputError

pytestmark = pytest.mark.by_hand

DAY0 = pd.Timestamp("2024-01-01")
NaT = pd.NaT


def d(day):
    return DAY0 + pd.Timedelta(days=day)


def records(vignettes):
    rows = [{"subject_id": sid, "assessment_date": d(day), "response": r}
            for sid, recs in vignettes.items() for day, r in recs]
    return pd.DataFrame(rows, columns=["subject_id", "assessment_date", "response"])


def patients(sids):
    return pd.DataFrame({"subject_id": list(sids), "index_date": DAY0})


def best(vignettes, extra_subjects=(), **kw):
    out = derive_best_response(records(vignettes), patients([*vignettes, *extra_subjects]), **kw)
    return out.set_index("subject_id")


def check(row, **expected):
    got = {k: row[k] for k in expected}
    norm = {k: (None if pd.isna(v) else v) for k, v in got.items()}
    assert norm == {k: (None if v is NaT else v) for k, v in expected.items()}


def test_columns_and_one_row_per_patient():
    out = derive_best_response(records({"A": [(45, "SD")]}), patients(["A", "B"]))
    assert tuple(out.columns) == BEST_RESPONSE_COLUMNS
    assert out["subject_id"].tolist() == ["A", "B"]


def test_sd_before_day_42_is_ne():
    # SD at day 21 < 42: not SD; the only record -> NE, "SD too early".
    row = best({"A": [(21, "SD")]}).loc["A"]
    check(row, bor="NE", bor_ne_reason="SD too early", cbor="NE",
          cbor_ne_reason="SD too early", disease_control="N", clinical_benefit="N",
          last_adequate_assessment_date=d(21), n_assessments=1)


def test_sd_at_day_42_counts():
    row = best({"A": [(42, "SD")]}).loc["A"]
    check(row, bor="SD", bor_date=d(42), bor_ne_reason=None, disease_control="Y",
          clinical_benefit="Y", responder="N")


def test_only_ne():
    check(best({"A": [(45, "NE"), (90, "NE")]}).loc["A"], bor="NE", bor_ne_reason="only NE",
          last_adequate_assessment_date=NaT, last_assessment_date=d(90))


def test_no_post_baseline_assessment_ne_or_missing():
    out = best({"A": [(45, "SD")]}, extra_subjects=["B"])
    check(out.loc["B"], bor="NE", cbor="NE", bor_ne_reason="no post-baseline assessment",
          responder="N", n_assessments=0, last_assessment_date=NaT)
    out = best({"A": [(45, "SD")]}, extra_subjects=["B"],
               options=ResponseOptions(no_assessment="MISSING"))
    check(out.loc["B"], bor="MISSING", cbor="MISSING", disease_control="N")


def test_ne_between_two_prs():
    # PR d42, NE d63, PR d84: 84 - 42 = 42 >= 28 days, one NE between -> confirmed PR.
    one = {"A": [(42, "PR"), (63, "NE"), (84, "PR")]}
    check(best(one).loc["A"], bor="PR", cbor="PR", confirmed_responder="Y",
          confirmed_first_response_date=d(42), cbor_date=d(42))
    # two NEs between: not confirmed; the PR at day 42 (>= 42) counts as SD.
    two = {"A": [(42, "PR"), (56, "NE"), (70, "NE"), (84, "PR")]}
    check(best(two).loc["A"], bor="PR", cbor="SD", confirmed_responder="N",
          confirmed_first_response_date=NaT, responder="Y")
    # ... unless two NEs are allowed
    check(best(two, options=ResponseOptions(max_ne_between=2)).loc["A"], cbor="PR")


def test_cr_never_confirmed_becomes_sd_or_ne():
    # CR at day 63 and nothing after: BOR CR, CBOR SD (63 >= 42).
    check(best({"A": [(21, "SD"), (63, "CR")]}).loc["A"], bor="CR", cbor="SD",
          cbor_date=d(63), responder="Y", confirmed_responder="N",
          clinical_benefit="Y", confirmed_clinical_benefit="Y")
    # CR at day 28 only: CBOR NE (28 < 42), reason "SD too early"
    check(best({"A": [(28, "CR")]}).loc["A"], bor="CR", cbor="NE",
          cbor_ne_reason="SD too early", confirmed_disease_control="N",
          confirmed_clinical_benefit="N", clinical_benefit="Y")


def test_cr_confirmed_by_cr():
    check(best({"A": [(42, "CR"), (70, "CR")]}).loc["A"], bor="CR", cbor="CR",
          confirmed_first_response_date=d(42))


def test_pr_confirmed_by_later_cr():
    # admiralonco: a PR is confirmed by a later CR or PR; the CR itself is unconfirmed,
    # so CBOR is PR (not CR).
    check(best({"A": [(42, "PR"), (84, "CR")]}).loc["A"], bor="CR", bor_date=d(84),
          cbor="PR", cbor_date=d(42), first_response_date=d(42))


def test_pr_after_cr_breaks_confirmation():
    # CR d42 then PR d84: the CR is not confirmed (PR in its window), the PR has no follow-up.
    check(best({"A": [(42, "CR"), (84, "PR")]}).loc["A"], bor="CR", cbor="SD")
    # PR d42, CR d56, PR d84: the first PR's window holds a PR after a CR -> not confirmed.
    check(best({"A": [(42, "PR"), (56, "CR"), (84, "PR")]}).loc["A"], cbor="SD")


def test_sd_between_two_prs():
    v = {"A": [(42, "PR"), (63, "SD"), (84, "PR")]}
    check(best(v).loc["A"], cbor="SD")
    check(best(v, options=ResponseOptions(accept_sd_between=True)).loc["A"], cbor="PR")


def test_confirmation_interval():
    # PR d42 and PR d63: 21 days < 28 -> unconfirmed; 21-day confirmation accepts it.
    v = {"A": [(42, "PR"), (63, "PR")]}
    check(best(v).loc["A"], cbor="SD")
    check(best(v, options=ResponseOptions(confirmation_days=21)).loc["A"], cbor="PR")


def test_only_up_to_first_pd():
    # SD d45, PD d60, CR d90: the CR after PD is ignored for BOR; LSTA still sees it.
    check(best({"A": [(45, "SD"), (60, "PD"), (90, "CR")]}).loc["A"], bor="SD", responder="N",
          first_pd_date=d(60), last_adequate_assessment_date=d(60),
          last_assessment_date=d(90), n_assessments=2, first_response_date=NaT)


def test_pd_only():
    check(best({"A": [(30, "PD")]}).loc["A"], bor="PD", cbor="PD", first_pd_date=d(30),
          disease_control="N", clinical_benefit="N")


def test_progression_after_new_therapy_is_ignored():
    lines = pd.DataFrame({"subject_id": ["A", "A"], "setting": ["prior", "subsequent"],
                          "line": [1, 2], "drug": ["x", "y"],
                          "start_date": [d(-100), d(60)]})
    v = {"A": [(45, "SD"), (60, "SD"), (80, "PD")]}
    out = derive_best_response(records(v), patients(["A"]), lines).set_index("subject_id")
    # the SD on the new-therapy start date (day 60) is kept, the PD at day 80 is not
    check(out.loc["A"], bor="SD", first_pd_date=NaT, new_therapy_date=d(60),
          last_adequate_assessment_date=d(60), last_assessment_date=d(60))
    out = derive_best_response(records(v), patients(["A"]), lines,
                               options=ResponseOptions(stop_at_new_therapy=False))
    check(out.set_index("subject_id").loc["A"], bor="SD", first_pd_date=d(80))


def test_records_before_index_are_ignored():
    check(best({"A": [(-10, "PR"), (45, "SD")]}).loc["A"], bor="SD", first_response_date=NaT,
          n_assessments=1)
    check(best({"A": [(-10, "PD")]}).loc["A"], bor="NE",
          bor_ne_reason="no post-baseline assessment", first_pd_date=NaT)


def test_worst_on_same_date():
    # CR and PD on day 50: PD kept. NE and SD on day 50: SD kept (NE is "best" in the order).
    check(best({"A": [(50, "CR"), (50, "PD")]}).loc["A"], bor="PD", n_assessments=1)
    check(best({"A": [(50, "NE"), (50, "SD")]}).loc["A"], bor="SD")
    # a different order: NE worst
    order = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")
    check(best({"A": [(50, "NE"), (50, "SD")]},
               options=ResponseOptions(worst_order=order)).loc["A"], bor="NE")


def test_non_cr_non_pd():
    check(best({"A": [(21, "NON-CR/NON-PD"), (42, "NON-CR/NON-PD")]}).loc["A"],
          bor="NON-CR/NON-PD", bor_date=d(42), cbor="NON-CR/NON-PD", disease_control="Y",
          clinical_benefit="Y", responder="N")
    check(best({"A": [(21, "NON-CR/NON-PD")]}).loc["A"], bor="NE",
          bor_ne_reason="SD too early")


def test_clinical_benefit_window():
    v = {"A": [(45, "SD"), (100, "SD")], "B": [(45, "SD"), (170, "SD")]}
    out = best(v, options=ResponseOptions(clinical_benefit_days=168))
    check(out.loc["A"], disease_control="Y", clinical_benefit="N")
    check(out.loc["B"], disease_control="Y", clinical_benefit="Y")


def test_time_to_response_and_day_count():
    v = {"A": [(42, "PR"), (84, "PR")], "B": [(42, "PR")]}
    out = best(v)
    check(out.loc["A"], time_to_response_days=43.0)  # admiral: 42 + 1
    out = best(v, options=ResponseOptions(day_count="difference", confirmation=True))
    check(out.loc["A"], time_to_response_days=42.0, best_response="PR",
          objective_response="Y")
    # confirmed analysis: B's single PR is not a response
    check(out.loc["B"], best_response="SD", objective_response="N", ne_reason=None,
          time_to_response_days=None)


def test_confirmation_option_selects_cbor():
    out = best({"A": [(28, "CR")]}, options=ResponseOptions(confirmation=True))
    check(out.loc["A"], best_response="NE", ne_reason="SD too early", bor="CR")
    out = best({"A": [(28, "CR")]})
    check(out.loc["A"], best_response="CR", ne_reason=None, objective_response="Y")


def test_best_pct_change_and_nadir_from_visits():
    les = pd.DataFrame({
        "subject_id": "A", "lesion_id": "T1", "lesion_type": "TARGET",
        "visit_date": [d(-5), d(42), d(84), d(126)], "diameter": [50.0, 30.0, 40.0, 20.0]})
    v = derive_visit_response(les, patients(["A"]))
    # visits: PR (-40 %), SD (-20 %; nadir 30 -> +33 %, +10 mm: PD!), then 20 (after PD)
    assert v["overall_response"].tolist() == [None, "PR", "PD", "PR"]
    from oncocohort.derive.recist import derive_overall_records
    out = derive_best_response(derive_overall_records(v), patients(["A"]), visits=v)
    row = out.set_index("subject_id").loc["A"]
    # up to the PD at day 84: best -40 %, nadir 30 (the day-126 20 mm is after PD)
    check(row, bor="PR", first_pd_date=d(84), nadir_sum=30.0)
    assert row["best_pct_change"] == pytest.approx(-40.0, rel=1e-12)


def test_pd_by_a_new_lesion():
    # A: target sum stable (SD) until a new lesion appears at day 84 -> PD by new lesion (Y).
    # B: the target sum grows by 40 % at day 84 -> PD without a new lesion (N).
    # C: SD only, no PD -> empty.
    rows = []
    for sid, diam in (("A", [50.0, 48.0, 47.0]), ("B", [50.0, 52.0, 70.0]),
                      ("C", [50.0, 49.0, 48.0])):
        rows += [{"subject_id": sid, "lesion_id": "T1", "lesion_type": "TARGET",
                  "visit_date": d(day), "diameter": x}
                 for day, x in zip((-5, 42, 84), diam, strict=True)]
    rows.append({"subject_id": "A", "lesion_id": "N1", "lesion_type": "NEW",
                 "visit_date": d(84), "diameter": None})
    v = derive_visit_response(pd.DataFrame(rows), patients(["A", "B", "C"]))
    from oncocohort.derive.recist import derive_overall_records
    out = derive_best_response(derive_overall_records(v), patients(["A", "B", "C"]), visits=v)
    out = out.set_index("subject_id")
    assert out["first_pd_date"].tolist()[:2] == [d(84), d(84)]
    assert out["pd_new_lesion"].tolist() == ["Y", "N", ""]
    # without lesion visits nothing is known
    plain = derive_best_response(derive_overall_records(v), patients(["A", "B", "C"]))
    assert plain["pd_new_lesion"].tolist() == ["", "", ""]


def test_inputs_are_not_modified():
    rec = records({"A": [(50, "CR"), (50, "PD")]})
    pts = patients(["A"])
    before = rec.copy(), pts.copy()
    derive_best_response(rec, pts)
    pd.testing.assert_frame_equal(rec, before[0])
    pd.testing.assert_frame_equal(pts, before[1])


def test_errors_name_the_subjects():
    pts = patients(["A", "B"])
    pts.loc[1, "index_date"] = NaT
    with pytest.raises(InputError) as err:
        derive_best_response(records({"A": [(45, "SD")], "Z": [(45, "SD")]}), pts)
    assert sorted(str(p) for p in err.value.problems) == [
        "column 'index_date', patients, subject B: reference date is missing",
        "overall responses, subject Z: assessments for a subject not in patients",
    ]
    with pytest.raises(InputError):
        derive_best_response(records({"A": [(45, "SD")]}), pts.drop(columns="index_date"))


def test_duplicate_patients_are_an_error():
    with pytest.raises(InputError) as err:
        derive_best_response(records({"A": [(45, "SD")]}), patients(["A", "A"]))
    assert [p.code for p in err.value.problems] == ["duplicate"]


def test_subsequent_therapy_dated_before_index_is_ignored():
    lines = pd.DataFrame({"subject_id": ["A"], "setting": ["subsequent"], "line": [2],
                          "drug": ["y"], "start_date": [d(-30)]})
    out = derive_best_response(records({"A": [(45, "SD"), (90, "PD")]}), patients(["A"]),
                               lines)
    check(out.set_index("subject_id").loc["A"], bor="SD", first_pd_date=d(90),
          new_therapy_date=NaT)
