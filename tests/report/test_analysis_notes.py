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
