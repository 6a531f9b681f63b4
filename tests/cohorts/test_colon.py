"""Event-free survival from surgery, with the events the spec lists: R survival's ``colon``.

The workbook (``tests/fixtures/cohorts/colon_zh.xlsx``) is the adjuvant colon cancer trial as
a Chinese hospital types it: Chinese headers, the dates of surgery and recurrence as text
(``2005/1/1``), a date of death for the dead, sex 男/女, arms in Chinese, unknown nodes left
empty and unknown differentiation typed ``不详`` (mapped to missing). The spec times both
endpoints from the date of surgery (``start: patients.surgery_date``) and makes EFS of a
recurrence date column and death (``events: [patients.recurrence_date, death]``);
``colon_cut.yaml`` is the same study at an earlier cut-off, truncated. Numbers:
``tests/reference/colon_efs.R``.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from _cohorts import check_cox, check_km, logrank_p, read_ard, read_reference

REL = 1e-6  # as tests/cohorts/test_os_only.py: R's 15 digits, Cox converged to 1e-9
LANDMARKS = (12, 36, 60)
# the study's levels sort as R's factors were made (code-point order, first = reference):
# 左旋咪唑 | 左旋咪唑+5-FU | 观察, F (女) | M (男), 否 | 是, 中分化 | 低分化 | 高分化
TERMS = {("arm", "左旋咪唑+5-FU"): "rx左旋咪唑+5-FU", ("arm", "观察"): "rx观察",
         ("sex", "M"): "sex男", ("node4", "是"): "node4是",
         ("differentiation", "低分化"): "differ低分化",
         ("differentiation", "高分化"): "differ高分化"}


@pytest.fixture
def colon(colon_outputs):
    return colon_outputs


def test_validate_and_run_agree_and_say_nothing(colon):
    said, ran, out = colon
    assert "warning" not in said and "warning" not in ran
    assert {p.stem for p in (out / "tables").iterdir()} == {
        "baseline", "survival", "subgroups_efs", "subgroups_os"}


def test_efs_events_from_the_listed_sources(colon):
    _, _, out = colon
    tte = pd.read_csv(out / "datasets" / "tte.csv")
    efs = tte[tte["paramcd"] == "efs"]
    assert set(efs["evntdesc"]) == {"patients.recurrence_date", "death",
                                    "censored: last_alive"}
    patients = pd.read_csv(out / "datasets" / "patients.csv").set_index("subject_id")
    start = pd.to_datetime(efs.set_index("subject_id")["start_date"])
    assert (start == pd.to_datetime(patients.loc[start.index, "surgery_date"])).all()
    html = re.sub(r"<[^>]+>", " ", (out / "report.html").read_text(encoding="utf-8"))
    assert "measured from the date of surgery" in html


@pytest.mark.reference
@pytest.mark.parametrize("endpoint", ["efs", "os"])
def test_km_logrank_cox_equal_r(colon, endpoint):
    _, _, out = colon
    ard, r = read_ard(out), read_reference("colon")
    check_km(ard, r, endpoint, endpoint, LANDMARKS, REL)
    assert logrank_p(ard, endpoint, "arm") == pytest.approx(r[f"{endpoint}_logrank_rx"],
                                                            rel=REL)
    check_cox(ard, r, endpoint, endpoint, TERMS, REL)


@pytest.mark.reference
def test_earlier_cutoff_truncated_equals_r(cohort_dir, run_cli):
    """``colon_cut.yaml``: the same workbook at 2008-12-31, truncated; the truncations are
    counted alike by ``validate`` and ``run``, and the EFS numbers are R's."""
    r = read_reference("colon")
    spec = cohort_dir / "colon_cut.yaml"
    code, said = run_cli(["validate", str(spec)])
    assert code == 0, said
    out = cohort_dir / "out-cut"
    code, ran = run_cli(["run", str(spec), "--out", str(out)])
    assert code == 0, ran
    warnings = [x.strip() for x in said.splitlines() if x.strip().startswith("warning")]
    assert warnings == [x.strip() for x in ran.splitlines() if x.strip().startswith("warning")]
    counts = {"patients with an index date after": r["cut_left_out"],
              "deaths after": r["cut_deaths_after"],
              "last contacts after": r["cut_alive_after"],
              "`recurrence_date` dates after": r["cut_recurrences_after"]}
    assert len(warnings) == len(counts)
    for what, n in counts.items():
        (line,) = [w for w in warnings if what in w]
        assert f": {int(n)} " in line, line
    ard = read_ard(out)
    check_km(ard, r, "cutefs", "efs", (12, 24, 36), REL)
    assert logrank_p(ard, "efs", "arm") == pytest.approx(r["cutefs_logrank_rx"], rel=REL)
    check_cox(ard, r, "cutefs", "efs", TERMS, REL)
