"""The analyses' notes (a model that warned, an analysis not run) reach the report in the
study's words: the endpoint's and the variable's labels, the time unit, model terms named as
the tables name them; never the spec's identifiers (``ttp``, ``ecog_group``).

Tier: ``by_hand``. Twelve patients typed here, one level without the event of interest (the
Fine-Gray and Cox fits warn); one note of each kind worded.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from oncocohort.analysis.competing import compute_competing_rows
from oncocohort.analysis.notes import AnalysisNote, NoteKind
from oncocohort.analysis.subgroups import compute_subgroup_rows
from oncocohort.canon.conventions import Conventions
from oncocohort.report.options import ReportOptions
from oncocohort.report.text import analysis_notes

pytestmark = pytest.mark.by_hand

OPTIONS = ReportOptions(
    title="t", data_cutoff=dt.date(2024, 1, 1), index_date_label="start of treatment",
    conventions=Conventions(time_unit="months"),
    labels={"ttp": "Time to progression", "os": "Overall survival", "pfs": "PFS",
            "ecog_group": "ECOG performance status", "age": "Age (years)",
            "first_response": "First response", "sex": "Sex"})
IDS = ("ttp", "ecog_group", "first_response", "os")

# ECOG 1-2: no progression (cause 1) and no death: the fits cannot bound its coefficient
PATIENTS = pd.DataFrame({"subject_id": [f"P{i:02d}" for i in range(12)],
                         "ecog_group": ["0"] * 6 + ["1-2"] * 6})
CAUSE = [1, 1, 2, 1, 0, 1, 2, 0, 2, 0, 2, 0]
TTE = PATIENTS[["subject_id"]].assign(
    paramcd="ttp", aval=[1, 2, 3, 4, 5, 6, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5], cause=CAUSE,
    event=[int(c == 1) for c in CAUSE], unit="months", param="Time to progression")


def _no_ids(text: str) -> None:
    assert not any(re.search(rf"\b{i}\b", text) for i in IDS), text


def test_a_fine_gray_warning_in_the_labels():
    res = compute_competing_rows(PATIENTS, TTE, "ttp", ["ecog_group"])
    [note] = res.notes
    assert (note.kind, note.endpoint, note.variable) == (NoteKind.FINE_GRAY, "ttp",
                                                         "ecog_group")
    [text] = analysis_notes(res.notes, OPTIONS)
    assert text.startswith("Fine-Gray model of time to progression by ECOG performance "
                           "status: Fine-Gray fit did not converge")
    assert text.endswith("its hazard ratio and CI are not reliable.")
    _no_ids(text)


def test_a_monotone_cox_likelihood_names_the_term_by_its_label():
    tte = TTE.assign(paramcd="os", event=[1, 1, 1, 1, 0, 1] + [0] * 6)
    res = compute_subgroup_rows(PATIENTS, tte, "os", ["ecog_group"])
    [note] = res.notes
    assert "ecog_group[1-2]" in note.detail  # the fit's term name, kept in the record
    [text] = analysis_notes(res.notes, OPTIONS)
    assert text.startswith("Univariable Cox model of overall survival by ECOG performance "
                           "status: log-likelihood converged before coefficient(s) of ECOG "
                           "performance status 1-2; the coefficient may be infinite")
    _no_ids(text)


@pytest.mark.parametrize(("note", "text"), [
    (AnalysisNote(NoteKind.NO_EVENTS, "no patient had an event", endpoint="os"),
     "Overall survival: no patient had an event."),
    (AnalysisNote(NoteKind.COX_MULTIVARIABLE, "X matrix deemed to be singular: no "
                  "information on ecog_group[1-2], age in the risk sets", endpoint="pfs"),
     "Multivariable Cox model of PFS: X matrix deemed to be singular: no information on ECOG "
     "performance status 1-2, age in the risk sets."),
    (AnalysisNote(NoteKind.LANDMARK, "one group only among the patients at risk; no test",
                  endpoint="os", variable="first_response", at="3", label="Response"),
     "Landmark analysis of overall survival by response at 3 months: one group only among "
     "the patients at risk; no test."),
    (AnalysisNote(NoteKind.LANDMARK_COX, "coefficient(s) of group[Yes] may be infinite",
                  endpoint="os", variable="first_response", at="2.5"),
     "Landmark Cox model of overall survival by first response at 2.5 months: coefficient(s) "
     "of first response yes may be infinite."),
    (AnalysisNote(NoteKind.TIME_VARYING, "2 patient(s) with a time of 0 left out",
                  endpoint="os", variable="first_response", label="Response"),
     "Time-varying analysis of overall survival by response: 2 patient(s) with a time of 0 "
     "left out."),
    (AnalysisNote(NoteKind.TIME_VARYING_COX, "Newton-Raphson did not converge in 30 "
                  "iterations", endpoint="os", variable="first_response", label="Response"),
     "Time-varying Cox model of overall survival by response: Newton-Raphson did not "
     "converge in 30 iterations."),
    (AnalysisNote(NoteKind.PROPENSITY, "term(s) sex[M] are collinear with earlier terms and "
                  "were left out", label="Previous immunotherapy (weighted)"),
     "Propensity model of previous immunotherapy (weighted): term(s) sex M are collinear "
     "with earlier terms and were left out."),
    (AnalysisNote(NoteKind.COMPARISON_COX, "coefficient(s) of _t may be infinite.",
                  endpoint="os", label="Previous immunotherapy (matched)"),
     "Cox model of overall survival, previous immunotherapy (matched): coefficient(s) of "
     "previous immunotherapy (matched) may be infinite."),
    (AnalysisNote(NoteKind.ONE_SAMPLE_LOGRANK, "expected events below 5", endpoint="os",
                  label="Chemotherapy arm of KEYNOTE-181"),
     "One-sample log-rank test of overall survival against chemotherapy arm of KEYNOTE-181: "
     "expected events below 5."),
], ids=lambda x: x.kind.value if isinstance(x, AnalysisNote) else "")
def test_each_kind_of_note_in_words(note, text):
    assert analysis_notes([note], OPTIONS) == [text]


@pytest.mark.reference
def test_a_failed_proportional_hazards_test_is_a_note_with_r_s_p_values():
    """R's veteran model ``coxph(Surv(time, status) ~ karno + celltype + trt)``: cox.zph
    global p = 0.0009, karno 0.0003, celltype 0.002, trt 0.65 (tests/reference/cox.R,
    case vet_efron). The multivariable model's note names the model, the global p and the
    two terms below 0.05, worded by fmt_p_clause, not trt; a model that holds has none."""
    from pathlib import Path

    from oncocohort.report.format import fmt_p_clause

    fx = Path(__file__).parents[1] / "reference" / "fixtures"
    vet = pd.read_csv(fx / "cox_input_veteran.csv")
    r = pd.read_csv(fx / "cox_results.csv")
    r_p = r[(r.case == "vet_efron") & (r.quantity == "zph_p")].set_index("term")["value"]
    patients = pd.DataFrame({"subject_id": [f"V{i:03d}" for i in range(len(vet))],
                             "karno": vet.karno.astype(float), "celltype": vet.celltype,
                             "trt": vet.trt.astype(str)})
    tte = patients[["subject_id"]].assign(paramcd="os", aval=vet.time.astype(float),
                                          event=vet.event.astype(int))
    res = compute_subgroup_rows(patients, tte, "os", ["karno", "celltype", "trt"],
                                threshold=1.0, continuous={"karno": 1.0})
    assert res.selected == ("karno", "celltype", "trt")
    [note] = [n for n in res.notes if n.kind == NoteKind.PROPORTIONAL_HAZARDS]
    assert [t for t, _ in note.values] == ["", "karno", "celltype"]
    for term, p in note.values:
        assert p == pytest.approx(r_p["GLOBAL" if not term else term], rel=1e-6)
    options = ReportOptions(title="t", data_cutoff=dt.date(2024, 1, 1),
                            index_date_label="randomisation", conventions=Conventions(),
                            labels={"os": "Overall survival", "karno": "Karnofsky score",
                                    "celltype": "Cell type"})
    [text] = analysis_notes([note], options)
    ps = dict(note.values)
    assert text == (
        "Multivariable Cox model of overall survival: proportional hazards not supported by "
        f"the test of the scaled Schoenfeld residuals ({fmt_p_clause(ps[''], name='global p')}"
        f"; {fmt_p_clause(ps['karno'], name='karnofsky score p')}; "
        f"{fmt_p_clause(ps['celltype'], name='cell type p')}); its hazard ratios average "
        "effects that change over time.")
    assert "global p < 0.001" in text and "cell type p = 0.002" in text
    # age and trt: global p = 0.045, neither term below 0.05: the note gives the global p
    both = compute_subgroup_rows(patients.assign(age=vet.age.astype(float)), tte, "os",
                                 ["age", "trt"], threshold=1.0, continuous={"age": 10.0})
    [note] = [n for n in both.notes if n.kind == NoteKind.PROPORTIONAL_HAZARDS]
    assert [t for t, _ in note.values] == [""] and 0.04 < note.values[0][1] < 0.05
    # R's lung model age + sex + ph.ecog (case lung_efron): every p >= 0.05, no note
    lung = pd.read_csv(fx / "cox_input_lung.csv")
    r_p = r[(r.case == "lung_efron") & (r.quantity == "zph_p")].set_index("term")["value"]
    patients = pd.DataFrame({"subject_id": [f"L{i:03d}" for i in range(len(lung))],
                             "age": lung.age.astype(float), "sex": lung.sex,
                             "ph_ecog": lung.ph_ecog.astype(float)})
    tte = patients[["subject_id"]].assign(paramcd="os", aval=lung.time.astype(float),
                                          event=lung.event.astype(int))
    held = compute_subgroup_rows(patients, tte, "os", ["age", "sex", "ph_ecog"],
                                 threshold=1.0, continuous={"age": 1.0, "ph_ecog": 1.0})
    ph = {r.group_var or "GLOBAL": r.value for r in held.rows
          if r.variable == "ph_test" and r.statistic == "p"}
    assert ph == pytest.approx(r_p.to_dict(), rel=1e-6)
    assert not [n for n in held.notes if n.kind == NoteKind.PROPORTIONAL_HAZARDS]


@pytest.mark.regression
def test_the_lone_variable_through_the_screen_keeps_its_proportional_hazards_test():
    """veteran-trt: only cell type passes the screen, so no multivariable model is fitted;
    the proportional-hazards test it had (p = 0.031, the review's Table 3 footnote) moves to
    the univariable model of cell type: a cox_univariable ph_test row and the note, which
    the review found missing from the data-quality section. Treatment (not through) has
    none."""
    from pathlib import Path

    from oncocohort.stats.cox import cox

    vet = pd.read_csv(Path(__file__).parents[1] / "reference" / "fixtures"
                      / "cox_input_veteran.csv")
    patients = pd.DataFrame({"subject_id": [f"V{i:03d}" for i in range(len(vet))],
                             "celltype": vet.celltype, "trt": vet.trt.astype(str)})
    tte = patients[["subject_id"]].assign(paramcd="os", aval=vet.time.astype(float),
                                          event=vet.event.astype(int))
    res = compute_subgroup_rows(patients, tte, "os", ["trt", "celltype"])
    assert res.selected == ("celltype",)
    ph = [(r.analysis, r.group_var, r.value) for r in res.rows
          if r.variable == "ph_test" and r.statistic == "p"]
    frame = patients.assign(time=tte.aval, event=tte.event)
    want = cox(frame, time="time", event="event", covariates=["celltype"]).ph_test().table
    assert ph == [("cox_univariable", "celltype", pytest.approx(want.loc["celltype", "p"],
                                                                rel=1e-12))]
    assert round(ph[0][2], 3) == 0.031  # the value the review saw
    [note] = [n for n in res.notes if n.kind == NoteKind.PROPORTIONAL_HAZARDS]
    options = ReportOptions(title="t", data_cutoff=dt.date(2024, 1, 1),
                            index_date_label="randomisation", conventions=Conventions(),
                            labels={"os": "Overall survival", "celltype": "Cell type"})
    assert analysis_notes([note], options) == [
        "Univariable Cox model of overall survival by cell type: proportional hazards not "
        "supported by the test of the scaled Schoenfeld residuals (cell type p = 0.031); its "
        "hazard ratios average effects that change over time."]
