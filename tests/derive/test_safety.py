"""CTCAE safety derivations: vignettes typed by hand, and tern worst-grade counts (reference)."""

from pathlib import Path

import pandas as pd
import pytest

from oncocohort.analysis.safety import summarise_ae_grades
from oncocohort.canon.ctcae import lookup_ctcae_term
from oncocohort.derive.safety import (
    DEFAULT_SYNONYMS,
    SafetyOptions,
    derive_ae,
    derive_ae_worst,
    map_ctcae_term,
    unmapped_ae_terms,
)

T = pd.Timestamp
DATA = Path(__file__).parent / "data"
OPTIONS = SafetyOptions(
    synonyms={"HFS": "Palmar-plantar erythrodysesthesia syndrome",
              "rash": "Rash acneiform"},  # the spec overrides the default "rash"
    groups={"Nausea and vomiting": ("Nausea", "Vomiting"),
            "Liver function abnormality": ("ALT increased", "Aspartate aminotransferase increased",
                                           "Blood bilirubin increased")},
    regimen_drugs=("anlotinib", "tislelizumab"),
    immune_related=("Hypothyroidism", "Pneumonitis"),
)
PATIENTS = pd.DataFrame({
    "subject_id": ["1", "2", "3"],
    "index_date": [T("2024-01-01")] * 3,
    "eot_date": [T("2024-06-01"), pd.NaT, pd.NaT],
})
THERAPY = pd.DataFrame({"subject_id": ["2", "2"], "drug": ["anlotinib"] * 2,
                        "start_date": [T("2024-01-01"), T("2024-03-01")],
                        "end_date": [T("2024-01-14"), T("2024-03-14")]})


def _ae(rows):
    cols = ["subject_id", "ae_term", "grade", "onset_date", "related", "related_drugs"]
    f = pd.DataFrame(rows, columns=cols)
    f["grade"] = f["grade"].astype("Int64")
    f["onset_date"] = pd.to_datetime(f["onset_date"])
    f["related"] = f["related"].astype("boolean")
    return f


AE = _ae([
    ("1", "Anaemia", 2, "2024-02-01", True, None),                      # 0 British spelling
    ("1", "Fatigue", None, "2024-02-01", True, "anlotinib"),            # 1 grade missing ...
    ("1", "fatigue", 2, "2024-03-01", True, "anlotinib"),               # 2 ... then grade 2
    ("2", "Fatigue", None, "2024-02-01", True, "anlotinib"),            # 3 only missing grade
    ("1", "Nausea", 1, "2024-02-10", True, "anlotinib"),                # 4 group member
    ("1", "Vomiting", 3, "2024-02-11", None, "Tislelizumab; anlotinib"),  # 5 related by drugs
    ("2", "Hypertension", 4, "2024-02-01", False, None),                # 6 not related
    ("2", "HFS", 3, "2024-03-20", True, "anlotinib"),                   # 7 spec synonym
    ("3", "Fatige", 1, "2024-02-01", True, None),                       # 8 unmapped (typo)
    ("1", "Hypothyroidism", 2, "2024-07-01", True, "tislelizumab"),     # 9 eot + 30: TE
    ("1", "Pneumonitis", 3, "2024-07-02", True, "tislelizumab"),        # 10 eot + 31: not TE
    ("2", "Diarrhoea", 1, "2023-12-31", True, "anlotinib"),             # 11 before index
    ("2", "ALT increased", 2, "2024-04-13", True, "anlotinib"),         # 12 last dose + 30
    ("2", "Blood bilirubin increased", 1, "2024-04-14", True, "anlotinib"),  # 13 + 31
    ("3", "Rash", 2, None, False, "paracetamol"),                       # 14 no onset; other drug
])


@pytest.fixture(scope="module")
def ae():
    return derive_ae(AE, PATIENTS, options=OPTIONS, therapy=THERAPY)


@pytest.mark.by_hand
def test_term_mapping(ae):
    assert ae["ctcae_term"].tolist()[:3] == ["Anemia", "Fatigue", "Fatigue"]
    assert ae.loc[0, "term_source"] == "synonym" and ae.loc[2, "term_source"] == "exact"
    assert ae.loc[0, "soc"] == "Blood and lymphatic system disorders"
    assert ae.loc[7, "ctcae_term"] == "Palmar-plantar erythrodysesthesia syndrome"
    assert ae.loc[11, "ctcae_term"] == "Diarrhea"
    assert ae.loc[14, "ctcae_term"] == "Rash acneiform"  # spec synonym beats the default
    # unmapped: kept, with its recorded name as the counting term
    assert ae.loc[8, "ctcae_term"] is None and ae.loc[8, "term_source"] == "unmapped"
    assert ae.loc[8, "term"] == "Fatige" and pd.isna(ae.loc[8, "soc"])
    assert len(ae) == len(AE)


def test_given_ctcae_term_wins():
    f = AE.iloc[[0]].assign(ctcae_term=["Hemolysis"])
    out = derive_ae(f, PATIENTS, options=OPTIONS)
    assert out.loc[0, ["ctcae_term", "term_source"]].tolist() == ["Hemolysis", "given"]


def test_unmapped_terms_are_reported_with_suggestions(ae):
    un = unmapped_ae_terms(ae)
    assert un.to_dict("records") == [{"ae_term": "Fatige", "n_records": 1, "n_subjects": 1,
                                      "suggestions": "Fatigue"}]


@pytest.mark.by_hand
def test_groups_attribution_and_flags(ae):
    assert ae.loc[4, "ae_group"] == ae.loc[5, "ae_group"] == "Nausea and vomiting"
    assert ae.loc[12, "ae_group"] == "Liver function abnormality"  # via the ALT synonym
    assert ae.loc[0, "ae_group"] == "Anemia"  # ungrouped: its own term
    assert ae.loc[5, ["related", "related_anlotinib", "related_tislelizumab"]].tolist() == [
        True, True, True]
    assert ae.loc[0, ["related", "related_anlotinib"]].tolist() == [True, False]
    assert not ae.loc[6, "related"]
    assert not ae.loc[14, "related"]  # attributed to a drug outside the regimen
    assert ae["immune_related"].tolist() == [False] * 9 + [True, True] + [False] * 4


@pytest.mark.by_hand
def test_treatment_emergent_window(ae):
    te = ae["trtemfl"]
    assert te[9] == "Y" and te[10] == "N"    # eot 2024-06-01 + 30 = 2024-07-01
    assert te[11] == "N"                      # before the index date
    assert te[12] == "Y" and te[13] == "N"    # no eot: last dose 2024-03-14 + 30 = 04-13
    assert te[14] == "Y"                      # missing onset counts (conservative)


@pytest.mark.by_hand
def test_missing_grade_never_outranks_a_real_one(ae):
    w = derive_ae_worst(ae, by="term").set_index(["subject_id", "category"])
    assert w.loc[("1", "Fatigue"), "worst_grade"] == 2
    assert w.loc[("1", "Fatigue"), "n_records"] == 2
    assert pd.isna(w.loc[("2", "Fatigue"), "worst_grade"])
    assert w.loc[("2", "Fatigue"), "grade_missing"]
    s = summarise_ae_grades(derive_ae_worst(ae, by="term"), 3).set_index("category")
    assert s.loc["Fatigue", ["n_any", "n_grade_1_2", "n_grade_3_plus", "n_grade_missing"]
                 ].tolist() == [2, 1, 0, 1]


@pytest.mark.by_hand
def test_group_worst_grade_and_not_related_excluded(ae):
    w = derive_ae_worst(ae, by="group").set_index(["subject_id", "category"])
    assert w.loc[("1", "Nausea and vomiting"), "worst_grade"] == 3  # Nausea 1, Vomiting 3
    assert w.loc[("2", "Liver function abnormality"), "worst_grade"] == 2  # bilirubin not TE
    assert ("2", "Hypertension") not in w.index
    everything = derive_ae_worst(ae, by="term", related_only=False).set_index(
        ["subject_id", "category"])
    assert everything.loc[("2", "Hypertension"), "worst_grade"] == 4
    assert (everything["population"] == "AE").all() and (w["population"] == "TRAE").all()


@pytest.mark.by_hand
def test_worst_by_any_soc_and_drug(ae):
    anyg = derive_ae_worst(ae, by="any").set_index("subject_id")
    # 1: Anemia 2, Fatigue 2, Nausea 1, Vomiting 3, Hypothyroidism 2 -> 3
    # 2: Fatigue (missing), HFS 3, ALT 2 -> 3 ; 3: Fatige 1 (unmapped, still counted) -> 1
    assert anyg["worst_grade"].to_dict() == {"1": 3, "2": 3, "3": 1}
    assert (anyg["category"] == "Any TRAE").all()
    soc = derive_ae_worst(ae, by="soc").set_index(["subject_id", "category"])
    assert soc.loc[("1", "Gastrointestinal disorders"), "worst_grade"] == 3
    assert soc.loc[("3", "Unmapped term"), "worst_grade"] == 1
    tisl = derive_ae_worst(ae, by="term", drug="tislelizumab")
    assert sorted(tisl["category"]) == ["Hypothyroidism", "Vomiting"]
    with pytest.raises(ValueError, match="related_pembrolizumab"):
        derive_ae_worst(ae, drug="pembrolizumab")
    with pytest.raises(ValueError, match="by must be"):
        derive_ae_worst(ae, by="arm")


@pytest.mark.by_hand
def test_summary_any_row_first_then_by_frequency(ae):
    s = summarise_ae_grades(derive_ae_worst(ae, by="term"), n_patients=3)
    assert s.loc[0, "category"] == "Any TRAE"
    assert s.loc[0, ["n_any", "n_grade_1_2", "n_grade_3_plus", "n_grade_missing"]].tolist() == [
        3, 1, 2, 0]
    assert s.loc[0, "pct_any"] == 100.0
    assert s.loc[0, "pct_grade_3_plus"] == pytest.approx(200 / 3, rel=1e-15)
    # Fatigue (2 patients) first; then 1-patient terms, grade >= 3 ones first, then by name
    assert s["category"].tolist() == [
        "Any TRAE", "Fatigue", "Palmar-plantar erythrodysesthesia syndrome", "Vomiting",
        "Alanine aminotransferase increased", "Anemia", "Fatige", "Hypothyroidism", "Nausea"]
    with pytest.raises(ValueError, match="n_patients"):
        summarise_ae_grades(derive_ae_worst(ae), 0)


def test_default_synonyms_point_to_ctcae_terms():
    for key, target in DEFAULT_SYNONYMS.items():
        assert lookup_ctcae_term(target) is not None, key
        assert lookup_ctcae_term(key) is None, f"{key} is itself a CTCAE term"
    assert map_ctcae_term("diarrhoea") == ("Diarrhea", "synonym")
    assert map_ctcae_term("anaemia", SafetyOptions(default_synonyms=False)) == (None,
                                                                                 "unmapped")


def test_options_accept_spec_lists():
    o = SafetyOptions(groups={"Nausea and vomiting": ["nausea", "Vomiting"]},
                      regimen_drugs=["anlotinib"], immune_related=["Pneumonitis"])
    assert o.groups == {"Nausea and vomiting": ("nausea", "Vomiting")}
    assert o.regimen_drugs == ("anlotinib",) and o.immune_related == ("Pneumonitis",)


def test_option_errors():
    with pytest.raises(ValueError, match="'Fatigued' .*not a CTCAE.*did you mean 'Fatigue'"):
        SafetyOptions(synonyms={"tired": "Fatigued"})
    with pytest.raises(ValueError, match="'Nausea' is in both"):
        SafetyOptions(groups={"GI": ("Nausea",), "Nausea and vomiting": ("Nausea", "Vomiting")})
    with pytest.raises(ValueError, match=r"immune_related: 'Colitiss'"):
        SafetyOptions(immune_related=("Colitiss",))
    with pytest.raises(ValueError, match="not in patients: 9"):
        derive_ae(AE.assign(subject_id="9"), PATIENTS, options=OPTIONS)
    with pytest.raises(ValueError, match="more than one row for subject.*1"):
        derive_ae(AE, pd.concat([PATIENTS, PATIENTS.iloc[[0]]]), options=OPTIONS)


def test_input_not_modified():
    before = AE.copy()
    derive_ae(AE, PATIENTS, options=OPTIONS, therapy=THERAPY)
    pd.testing.assert_frame_equal(AE, before)


# --------------------------------------------------------------------------- reference
@pytest.mark.reference
@pytest.mark.parametrize("related_only", [False, True])
def test_worst_grade_counts_match_tern_expected_values(related_only):
    """tern_ex_adae worst AETOXGR per subject (any AE / AEREL == "Y") over ADSL arm N.

    Expected counts come from ``tern/expected_values_R_survival.csv`` (computed in R 4.2.2
    from the same data; see data/extract_refdata.py). Counts are integers: exact equality.
    AEDECOD values are coded (``dcd D.1.1.4.2``), so every term is unmapped: this also checks
    that unmapped terms are counted, not dropped.
    """
    raw = pd.read_csv(DATA / "tern_adae.csv", dtype=str)
    adsl = pd.read_csv(DATA / "tern_adsl.csv", dtype=str)
    events = pd.DataFrame({"subject_id": raw["USUBJID"], "ae_term": raw["AEDECOD"],
                           "grade": raw["AETOXGR"].astype("Int64"),
                           "related": raw["AEREL"].map({"Y": True, "N": False})})
    patients = pd.DataFrame({"subject_id": adsl["USUBJID"], "index_date": pd.NaT})
    ae = derive_ae(events, patients, options=SafetyOptions())
    worst = derive_ae_worst(ae, by="any", related_only=related_only).merge(
        adsl.rename(columns={"USUBJID": "subject_id"}), on="subject_id")
    exp = pd.read_csv(DATA / "tern_expected_ae.csv")
    exp = exp[exp["paramcd"] == ("worst_AETOXGR_related" if related_only
                                 else "worst_AETOXGR_any")]
    for arm, rows in exp.groupby("group"):
        mine = worst[worst["ARMCD"] == arm]
        n_arm = int((adsl["ARMCD"] == arm).sum())
        summary = summarise_ae_grades(mine.drop(columns=["ARM", "ARMCD"]), n_arm).iloc[0]
        want = rows.set_index("statistic")
        assert (want["n"] == n_arm).all()
        for k in range(1, 6):
            got = int((mine["worst_grade"] == k).sum())
            assert got == want.loc[f"n_subjects_worst_grade_{k}", "events"], (arm, k)
        assert summary["n_any"] == want.loc["n_subjects_any_grade", "events"]
        assert summary["n_grade_3_plus"] == want.loc["n_subjects_grade>=3", "events"]
        for k in (3, 4, 5):  # the safety table's grade columns (tern AET04 by grade)
            assert summary[f"n_grade_{k}"] == want.loc[f"n_subjects_worst_grade_{k}", "events"]
        assert summary["pct_any"] == pytest.approx(
            want.loc["n_subjects_any_grade", "estimate"], rel=1e-12)  # R prints 15 digits
