"""The data cut-off as an analysis choice (``study.records_after_cutoff``), by hand.

Six patients, a cut-off of 2024-06-30, time in days (``day_count: difference``):

======  ===========  ==========================================  ===========================
id      index        recorded                                    at the cut-off
======  ===========  ==========================================  ===========================
P1      2024-01-01   died 2024-03-01                             event at day 60
P2      2024-01-01   died 2024-09-01                             censored at day 181
P3      2024-02-01   alive, last contact 2024-12-01              censored at day 150
P4      2024-03-01   died 2024-05-01                             event at day 61
P5      2024-08-01   alive, last contact 2024-10-01              not in the study (starts later)
P6      2024-01-15   status dead, last contact 2024-07-10        censored at day 167
======  ===========  ==========================================  ===========================

Kaplan-Meier by hand: 5 at risk at day 60 (one death) -> 4/5 = 0.8; 4 at risk at day 61 (one
death) -> 0.8 * 3/4 = 0.6, and no further death: S(90) = S(180) = 0.6, median not reached.
An adverse event with onset after the cut-off (P3) is left out; one before it (P1) stays. A
recurrence date (a date column an endpoint names) after the cut-off (P3) is ignored; P4's
recurrence on 2024-04-01 ends its event-free survival at day 31.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from _cohorts import ard_value, read_ard

PATIENTS = """id,start,death,last,status,age,sex,rec
P1,2024-01-01,2024-03-01,2024-03-01,2,60,M,
P2,2024-01-01,2024-09-01,2024-09-01,2,65,F,
P3,2024-02-01,,2024-12-01,1,70,M,2024-09-01
P4,2024-03-01,2024-05-01,2024-05-01,2,55,F,2024-04-01
P5,2024-08-01,,2024-10-01,1,58,M,
P6,2024-01-15,,2024-07-10,2,61,F,
"""
AES = """id,term,grade,onset
P1,Fatigue,2,2024-02-01
P3,Nausea,3,2024-08-15
"""


def _spec(handling: str | None) -> str:
    line = f"  records_after_cutoff: {handling}\n" if handling else ""
    return (
        "study:\n  name: Cut-off by hand\n  data_cutoff: 2024-06-30\n" + line +
        "sources:\n"
        "  patients:\n    file: patients.csv\n"
        "    columns: {subject_id: id, index_date: start, death_date: death,\n"
        "              last_alive_date: last, vital_status: status, age: age, sex: sex,\n"
        "              recurrence_date: rec}\n"
        "    values: {vital_status: {1: alive, 2: dead}}\n"
        "  adverse_events:\n    file: ae.csv\n"
        "    columns: {subject_id: id, ae_term: term, grade: grade, onset_date: onset}\n"
        "conventions: {time_unit: days, day_count: difference}\n"
        "endpoints:\n  os: {label: Overall survival, events: [death], censor: [last_alive]}\n"
        "  efs: {label: Event-free survival, events: [patients.recurrence_date, death],\n"
        "        censor: [last_alive]}\n"
        "landmarks: [90, 180]\n")


@pytest.fixture
def study(tmp_path):
    def make(handling: str | None):
        (tmp_path / "patients.csv").write_text(PATIENTS, encoding="utf-8")
        (tmp_path / "ae.csv").write_text(AES, encoding="utf-8")
        path = tmp_path / "study.yaml"
        path.write_text(_spec(handling), encoding="utf-8")
        return path
    return make


def _problem_lines(text: str, kind: str) -> list[str]:
    return [x.strip() for x in text.splitlines() if x.strip().startswith(kind)]


def test_by_default_a_date_after_the_cutoff_is_an_error(study, run_cli):
    code, said = run_cli(["validate", str(study(None))])
    assert code == 2
    errors = _problem_lines(said, "error")
    assert len(errors) == 9 and all("after the data cut-off" in e for e in errors)
    assert any("P3" in e and "`recurrence_date`" in e for e in errors)
    assert all("records_after_cutoff: truncate" in e for e in errors)
    assert sum("P2" in e for e in errors) == 2 and sum("P5" in e for e in errors) == 2
    code, ran = run_cli(["run", str(study("error")), "--out", str(study(None).parent / "o")])
    assert code == 2 and _problem_lines(ran, "error") == errors  # validate and run agree


def test_truncated_at_the_cutoff_by_hand(study, run_cli):
    spec = study("truncate")
    code, said = run_cli(["validate", str(spec)])
    assert code == 0, said
    warnings = _problem_lines(said, "warning")
    expected = {  # what each warning counts, and where its rows are
        "1 patient with an index date after the data cut-off": "row 6",
        "2 deaths after the data cut-off": "rows 3, 7",
        "1 last contact after the data cut-off": "row 4",
        "1 `adverse_events` record after the data cut-off: left out": "row 3",
        "1 `recurrence_date` date after the data cut-off: ignored": "row 4",
    }
    assert len(warnings) == len(expected)
    for start, rows in expected.items():
        (line,) = [w for w in warnings if start in w]
        assert f"({rows};" in line and "records_after_cutoff: truncate" in line
    out = spec.parent / "out"
    code, ran = run_cli(["run", str(spec), "--out", str(out)])
    assert code == 0, ran
    assert _problem_lines(ran, "warning") == warnings  # validate and run agree
    written = (out / "validation.txt").read_text(encoding="utf-8")
    assert all(start in written for start in expected)
    tte = pd.read_csv(out / "datasets" / "tte.csv")
    os_ = tte[tte["paramcd"] == "os"].set_index("subject_id")
    assert os_["aval"].to_dict() == {"P1": 60, "P2": 181, "P3": 150, "P4": 61, "P6": 167}
    assert os_["event"].to_dict() == {"P1": 1, "P2": 0, "P3": 0, "P4": 1, "P6": 0}
    # EFS: P4's recurrence (day 31) comes first; P3's after the cut-off is ignored
    efs = tte[tte["paramcd"] == "efs"].set_index("subject_id")
    assert efs["aval"].to_dict() == {"P1": 60, "P2": 181, "P3": 150, "P4": 31, "P6": 167}
    assert efs["event"].to_dict() == {"P1": 1, "P2": 0, "P3": 0, "P4": 1, "P6": 0}
    ard = read_ard(out)
    s = {"analysis": "survival", "endpoint": "os"}
    assert ard_value(ard, variable="patients", statistic="n", **s) == 5
    assert ard_value(ard, variable="events", statistic="n", **s) == 2
    for t in ("90", "180"):  # 4/5 * 3/4, exactly
        assert ard_value(ard, variable="landmark", category=t, statistic="pct",
                         **s) == pytest.approx(60.0, rel=1e-12)
    ae = pd.read_csv(out / "datasets" / "adverse_events.csv")
    assert ae["subject_id"].tolist() == ["P1"]
    html = re.sub(r"<[^>]+>", " ", (out / "report.html").read_text(encoding="utf-8"))
    assert "truncated at the data cut-off" in html
