"""RECIST 1.1 visit-level derivation: one synthetic subject per rule, expected rows by hand.

Tier: ``by_hand`` (every expected value is worked out in the comment next to it).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from oncocohort.derive.recist import (
    NOT_APPLICABLE,
    VISIT_COLUMNS,
    ResponseOptions,
    derive_overall_records,
    derive_visit_response,
)
from oncocohort.problems import InputError

pytestmark = pytest.mark.by_hand

D0 = "2024-01-01"  # index date of every vignette


def les(sid, rows):
    """rows: (visit_date, lesion_id, lesion_type, diameter, status, nodal)."""
    recs = []
    for date, lid, typ, diam, status, nodal in rows:
        recs.append({"subject_id": sid, "visit_date": pd.Timestamp(date), "lesion_id": lid,
                     "lesion_type": typ, "site": None, "nodal": nodal,
                     "diameter": diam, "non_target_status": status})
    return pd.DataFrame(recs)


def t(date, lid, diam, nodal=False):
    return (date, lid, "TARGET", diam, None, nodal)


def nt(date, lid, status, nodal=False, diam=None):
    return (date, lid, "NON-TARGET", diam, status, nodal)


def new(date, lid="N1"):
    return (date, lid, "NEW", None, "PRESENT", False)


def pts(*sids, index=D0):
    return pd.DataFrame({"subject_id": list(sids), "index_date": pd.Timestamp(index)})


def visits(sid, rows, **kw):
    return derive_visit_response(les(sid, rows), pts(sid), **kw)


def col(v, name):
    return v[name].tolist()


def test_columns_and_one_row_per_visit():
    v = visits("1", [t(D0, "T1", 50), t("2024-02-01", "T1", 40), t("2024-03-01", "T1", 30)])
    assert tuple(v.columns) == VISIT_COLUMNS
    assert len(v) == 3
    assert col(v, "baseline") == [True, False, False]


def test_sums_pct_change_and_nadir():
    # T1 long axis + N1 node short axis: 30+20=50, 25+15=40, 20+25=45.
    rows = [t(D0, "T1", 30), t(D0, "N1", 20, True),
            t("2024-02-01", "T1", 25), t("2024-02-01", "N1", 15, True),
            t("2024-03-01", "T1", 20), t("2024-03-01", "N1", 25, True)]
    v = visits("1", rows)
    assert col(v, "target_sum") == [50, 40, 45]
    assert col(v, "baseline_sum") == [50, 50, 50]
    assert v["pct_change_baseline"].tolist() == pytest.approx([0, -20, -10], rel=1e-12)
    # nadir: none at baseline, 50 at visit 2 (baseline), 40 at visit 3
    assert math.isnan(v["nadir"][0]) and v["nadir"][1:].tolist() == [50, 40]
    # 45 vs 40: +12.5 %
    assert v["pct_change_nadir"][2] == pytest.approx(12.5, rel=1e-12)
    assert col(v, "target_response")[1:] == ["SD", "SD"]


def test_pr_at_exactly_minus_30_percent():
    # 50 -> 35 is exactly -30 %: PR ("at least a 30 % decrease"); 50 -> 35.5 is -29 %: SD.
    v = visits("1", [t(D0, "T1", 50), t("2024-02-01", "T1", 35)])
    assert col(v, "target_response")[1] == "PR"
    v = visits("1", [t(D0, "T1", 50), t("2024-02-01", "T1", 35.5)])
    assert col(v, "target_response")[1] == "SD"


def test_pd_needs_20_percent_and_5_mm():
    # nadir 20: 24 is +20 % but only +4 mm -> not PD (SD); 25 is +25 % and +5 mm -> PD.
    v = visits("1", [t(D0, "T1", 20), t("2024-02-01", "T1", 24), t("2024-03-01", "T1", 25)])
    assert col(v, "target_response")[1:] == ["SD", "PD"]
    assert col(v, "overall_response")[1:] == ["SD", "PD"]


def test_pd_at_exactly_20_percent_over_nadir_after_shrinkage():
    # baseline 100, then 50 (PR, nadir 50), then 60: +20 % and +10 mm over the nadir -> PD,
    # although still -40 % from baseline. 50 * 1.2 is 60.000000000000007 in binary.
    v = visits("1", [t(D0, "T1", 100), t("2024-02-01", "T1", 50), t("2024-03-01", "T1", 60)])
    assert col(v, "target_response")[1:] == ["PR", "PD"]
    assert v["nadir"][2] == 50


def test_nodal_cr_at_9_mm_and_not_at_10():
    rows = [t(D0, "T1", 20), t(D0, "N1", 15, True),
            t("2024-02-01", "T1", 0), t("2024-02-01", "N1", 9, True),
            t("2024-03-01", "T1", 0), t("2024-03-01", "N1", 10, True)]
    v = visits("1", rows)
    # visit 2: non-nodal 0, node 9 < 10 -> CR although the sum is 9 mm.
    # visit 3: node 10 is not < 10: sum 10 vs baseline 35 is -71 % -> PR (nadir 9: +1 mm, no PD)
    assert col(v, "target_sum") == [35, 9, 10]
    assert col(v, "target_response")[1:] == ["CR", "PR"]
    assert col(v, "overall_response")[1:] == ["CR", "PR"]


def test_nodal_option_changes_threshold():
    rows = [t(D0, "N1", 15, True), t("2024-02-01", "N1", 9, True)]
    v = visits("1", rows, options=ResponseOptions(nodal_cr_mm=8))
    # 15 -> 9 is -40 %: PR when 9 mm is not normal
    assert col(v, "target_response")[1] == "PR"


def test_missing_target_is_ne_unless_pd_shown():
    # T2 has no diameter at visit 2 (NE) and no row at visit 3 (NE); at visit 4 T1 alone is
    # 40 vs nadir 30 (+33 %, +10 mm): PD from the partial sum.
    rows = [t(D0, "T1", 20), t(D0, "T2", 10),
            t("2024-02-01", "T1", 5), t("2024-02-01", "T2", None),
            t("2024-03-01", "T1", 5),
            t("2024-04-01", "T1", 40)]
    v = visits("1", rows)
    assert col(v, "targets_assessed") == [2, 1, 1, 1]
    assert col(v, "targets_expected") == [2, 2, 2, 2]
    # partial sum kept (as admiralonco ADTR SDIAM), the nadir only from complete visits
    assert col(v, "target_sum") == [30, 5, 5, 40]
    assert v["nadir"][1:].tolist() == [30, 30, 30]
    assert col(v, "target_response")[1:] == ["NE", "NE", "PD"]
    assert col(v, "overall_response")[1:] == ["NE", "NE", "PD"]


def test_pd_by_new_lesion_only():
    # targets shrink -40 % (PR) but a new lesion appears: overall PD, target PR.
    rows = [t(D0, "T1", 50), t("2024-02-01", "T1", 30), new("2024-02-01")]
    v = visits("1", rows)
    assert col(v, "target_response")[1] == "PR"
    assert col(v, "new_lesion")[1] is True
    assert col(v, "overall_response")[1] == "PD"


def test_absent_new_lesion_row_is_not_new_disease():
    rows = [t(D0, "T1", 50), t("2024-02-01", "T1", 45),
            ("2024-02-01", "N1", "NEW", None, "ABSENT", False)]
    v = visits("1", rows)
    assert col(v, "new_lesion")[1] is False
    assert col(v, "overall_response")[1] == "SD"


def test_table1_target_cr_with_non_targets():
    # RECIST Table 1: CR+CR -> CR; CR+non-CR/non-PD -> PR; CR+NE -> PR; SD+NE -> SD;
    # PR + unequivocal progression -> PD.
    rows = [t(D0, "T1", 20), nt(D0, "NT1", "PRESENT"),
            t("2024-02-01", "T1", 0), nt("2024-02-01", "NT1", "ABSENT"),
            t("2024-03-01", "T1", 0), nt("2024-03-01", "NT1", "PRESENT"),
            t("2024-04-01", "T1", 0), nt("2024-04-01", "NT1", "NE"),
            t("2024-05-01", "T1", 0), nt("2024-05-01", "NT1", "UNEQUIVOCAL PROGRESSION")]
    v = visits("1", rows)
    assert col(v, "non_target_response")[1:] == ["CR", "NON-CR/NON-PD", "NE", "PD"]
    assert col(v, "overall_response")[1:] == ["CR", "PR", "PR", "PD"]


def test_table1_sd_and_ne_rows():
    rows = [t(D0, "T1", 20), t(D0, "T2", 20), nt(D0, "NT1", "PRESENT"),
            t("2024-02-01", "T1", 18), t("2024-02-01", "T2", 20),  # NT1 missing: NE
            t("2024-03-01", "T1", 18), nt("2024-03-01", "NT1", "PRESENT")]  # T2 missing
    v = visits("1", rows)
    assert col(v, "target_response")[1:] == ["SD", "NE"]
    assert col(v, "non_target_response")[1:] == ["NE", "NON-CR/NON-PD"]
    assert col(v, "overall_response")[1:] == ["SD", "NE"]


def test_table2_non_target_disease_only():
    rows = [nt(D0, "NT1", "PRESENT"), nt(D0, "NT2", "PRESENT", True, 15),
            nt("2024-02-01", "NT1", "PRESENT"), nt("2024-02-01", "NT2", "PRESENT", True, 12),
            # node measured 8 mm counts as absent although marked PRESENT
            nt("2024-03-01", "NT1", "ABSENT"), nt("2024-03-01", "NT2", "PRESENT", True, 8),
            nt("2024-04-01", "NT1", "ABSENT"),
            nt("2024-05-01", "NT1", "ABSENT"), nt("2024-05-01", "NT2", "ABSENT", True),
            new("2024-05-01")]
    v = visits("1", rows)
    assert col(v, "target_response")[1:] == [NOT_APPLICABLE] * 4
    assert col(v, "non_target_response")[1:] == ["NON-CR/NON-PD", "CR", "NE", "CR"]
    assert col(v, "overall_response")[1:] == ["NON-CR/NON-PD", "CR", "NE", "PD"]


def test_baseline_is_last_visit_on_or_before_index():
    # screening 2023-12-01 (60 mm) and 2023-12-20 (50 mm): the later one is the baseline.
    rows = [t("2023-12-01", "T1", 60), t("2023-12-20", "T1", 50), t("2024-02-01", "T1", 40)]
    v = visits("1", rows)
    assert col(v, "baseline") == [False, True, False]
    assert math.isnan(v["baseline_sum"][0]) and v["overall_response"][0] is None
    assert v["pct_change_baseline"][2] == pytest.approx(-20, rel=1e-12)
    assert col(v, "overall_response")[2] == "SD"


def test_baseline_first_visit_when_none_before_index():
    rows = [t("2024-01-05", "T1", 50), t("2024-02-01", "T1", 30)]
    v = visits("1", rows)
    assert col(v, "baseline") == [True, False]
    assert col(v, "target_response")[1] == "PR"


def test_without_patients_first_visit_is_baseline():
    v = derive_visit_response(les("1", [t(D0, "T1", 50), t("2024-02-01", "T1", 30)]))
    assert col(v, "baseline") == [True, False]


def test_several_subjects_are_independent():
    a = les("A", [t(D0, "T1", 50), t("2024-02-01", "T1", 30)])
    b = les("B", [t(D0, "T1", 10), t("2024-02-01", "T1", 20)])
    v = derive_visit_response(pd.concat([b, a]), pts("A", "B"))
    assert col(v, "subject_id") == ["A", "A", "B", "B"]
    assert col(v, "overall_response") == [None, "PR", None, "PD"]


def test_input_is_not_modified():
    frame = les("1", [t(D0, "T1", 50), t("2024-02-01", "T1", 30)])
    before = frame.copy()
    derive_visit_response(frame, pts("1"))
    pd.testing.assert_frame_equal(frame, before)


def test_bad_input_lists_every_problem():
    frame = les("7", [t(D0, "T1", 50), t(D0, "T1", 40), ("2024-02-01", "T2", "TUMOR", -1,
                                                         "MAYBE", False)])
    with pytest.raises(InputError) as err:
        derive_visit_response(frame)
    messages = sorted(str(p) for p in err.value.problems)
    assert messages == [
        "column 'diameter', lesions, subject 7: diameter is negative",
        "column 'lesion_id', lesions, subject 7: lesion recorded twice at one visit",
        "column 'lesion_type', lesions, subject 7: value not allowed in 'lesion_type' "
        "(allowed: TARGET, NON-TARGET, NEW)",
        "column 'non_target_status', lesions, subject 7: value not allowed in "
        "'non_target_status' (allowed: PRESENT, ABSENT, UNEQUIVOCAL PROGRESSION, NE)",
    ]


def test_missing_column_is_reported():
    frame = les("1", [t(D0, "T1", 50)]).drop(columns="lesion_type")
    with pytest.raises(InputError) as err:
        derive_visit_response(frame)
    assert [p.column for p in err.value.problems] == ["lesion_type"]


def test_options_are_validated():
    with pytest.raises(ValueError, match="worst_order"):
        ResponseOptions(worst_order=("PD", "CR"))
    with pytest.raises(ValueError, match="confirmation_days"):
        ResponseOptions(confirmation_days=-1)


# ----------------------------------------------------------------- overall records


def test_overall_records_given_responses_win_per_subject():
    v = derive_visit_response(pd.concat([
        les("A", [t(D0, "T1", 50), t("2024-02-01", "T1", 30)]),
        les("B", [t(D0, "T1", 50), t("2024-02-01", "T1", 70)]),
    ]), pts("A", "B"))
    given = pd.DataFrame({"subject_id": ["B", "C"],
                          "assessment_date": pd.to_datetime(["2024-02-02", "2024-03-01"]),
                          "response": ["SD", "CR"]})
    o = derive_overall_records(v, given)
    assert list(o.columns) == ["subject_id", "assessment_date", "response", "source"]
    assert o.to_dict("list") == {
        "subject_id": ["A", "B", "C"],
        "assessment_date": list(pd.to_datetime(["2024-02-01", "2024-02-02", "2024-03-01"])),
        "response": ["PR", "SD", "CR"],
        "source": ["lesions", "responses", "responses"],
    }


def test_overall_records_reject_bad_codes():
    given = pd.DataFrame({"subject_id": ["B"], "assessment_date": [pd.Timestamp(D0)],
                          "response": ["Partial"]})
    with pytest.raises(InputError) as err:
        derive_overall_records(responses=given)
    assert err.value.problems.errors[0].subject == "B"
    with pytest.raises(ValueError):
        derive_overall_records()


def test_model_dtypes_nullable_boolean_and_float():
    # model/ types bool columns as pandas "boolean" and may leave <NA>; missing nodal = no.
    frame = les("1", [t(D0, "T1", 20), t(D0, "N1", 15, True),
                      t("2024-03-01", "T1", 0), t("2024-03-01", "N1", 8, True)])
    frame["nodal"] = pd.array([None, True, None, True], dtype="boolean")
    frame["diameter"] = pd.array([20, 15, 0, 8], dtype="Float64")
    v = derive_visit_response(frame, pts("1"))
    assert col(v, "target_sum") == [35, 8]
    assert col(v, "overall_response") == [None, "CR"]
