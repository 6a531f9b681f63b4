"""A two-group comparison and two more study shapes on R survival's ``veteran`` trial.

The workbook (``tests/fixtures/cohorts/veteran_en.xlsx``, also ``examples/veteran-trt``) is the
trial typed as an English-language hospital export: arms coded 1/2, a date of death for the
dead, the date of diagnosis as text. Three studies, each run through the CLI and checked
against R (``tests/reference/veteran_trt.R``):

* ``examples/veteran-trt/study.yaml``: Table 1 by arm, overall survival by arm (standard
  versus test) and cell type, from the start of treatment: Kaplan-Meier, log-rank, Cox, the
  curves by arm, and the arms compared in the results summary;
* ``veteran_dx.yaml``: the same from the date of diagnosis, a date column of the sheet used as
  the time origin (``start: patients.diagnosis_date``);
* ``veteran_cut.yaml``: the study at an earlier cut-off, the data truncated
  (``records_after_cutoff: truncate``), the truncations counted as warnings by ``validate``
  and ``run`` alike.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from _cohorts import ard_value, check_cox, check_km, logrank_p, read_ard, read_reference
from oncocohort.report.format import fmt_num, fmt_p_clause

EXAMPLE = Path(__file__).parents[2] / "examples" / "veteran-trt"
R_INPUT = Path(__file__).parents[1] / "reference" / "fixtures" / "veteran_input.csv"
# R writes 15 significant digits; Kaplan-Meier, log-rank and the interval transforms are
# closed forms, Cox estimates Newton-Raphson solutions converged to R's default (relative
# change of the log-likelihood < 1e-9): 1e-6 relative covers both.
REL = 1e-6
LANDMARKS = (3, 6, 12)
TERMS = {("arm", "Test"): "trtTest", ("cell_type", "Large"): "celltypeLarge",
         ("cell_type", "Small cell"): "celltypeSmall cell",
         ("cell_type", "Squamous"): "celltypeSquamous"}
# the example labels the cell types (variables: cell_type: values:), the same levels in the
# same order, so R's reference (adeno) and terms
TERMS_LABELLED = {("arm", "Test"): "trtTest", ("cell_type", "Large cell"): "celltypeLarge",
                  ("cell_type", "Small cell"): "celltypeSmall cell",
                  ("cell_type", "Squamous cell"): "celltypeSquamous"}


@pytest.fixture(scope="module")
def r() -> dict[str, float]:
    return read_reference("veteran")


def _validate_and_run(run_cli, spec: Path) -> tuple[str, str, Path]:
    code, said = run_cli(["validate", str(spec)])
    assert code == 0, said
    out = spec.parent / f"out-{spec.stem}"
    code, ran = run_cli(["run", str(spec), "--out", str(out)])
    assert code == 0, ran
    return said, ran, out


def _warnings(text: str) -> list[str]:
    return [x.strip() for x in text.splitlines() if x.strip().startswith("warning")]


@pytest.fixture(scope="module")
def example(tmp_path_factory, run_cli):
    where = tmp_path_factory.mktemp("veteran") / "veteran-trt"
    shutil.copytree(EXAMPLE, where)
    return _validate_and_run(run_cli, where / "study.yaml")


def test_the_example_is_the_fixture_workbook():
    fixture = Path(__file__).parents[1] / "fixtures" / "cohorts" / "veteran_en.xlsx"
    assert (EXAMPLE / "veteran.xlsx").read_bytes() == fixture.read_bytes()


def test_two_group_comparison_complete_and_quiet(example):
    said, ran, out = example
    assert _warnings(said) == [] and _warnings(ran) == []
    assert {p.stem for p in (out / "tables").iterdir()} == {"baseline", "survival",
                                                            "subgroups_os"}
    figures = {p.stem for p in (out / "figures").iterdir()}
    assert {"flowchart", "km_os", "km_os_arm", "km_os_cell_type", "forest_os"} <= figures
    html = re.sub(r"<[^>]+>", " ", (out / "report.html").read_text(encoding="utf-8")).lower()
    for absent in ("objective response", "adverse event", "on treatment", "exposure"):
        assert absent not in html, absent


@pytest.mark.reference
def test_two_group_comparison_equals_r(example, r):
    _, _, out = example
    ard = read_ard(out)
    check_km(ard, r, "os", "os", LANDMARKS, REL)
    for arm in ("Standard", "Test"):
        s = {"analysis": "subgroup", "endpoint": "os", "group_var": "arm", "group_level": arm}
        assert ard_value(ard, variable="patients", statistic="n", **s) == r[f"os_{arm}_n"]
        assert ard_value(ard, variable="events", statistic="n", **s) == r[f"os_{arm}_events"]
        for stat, key in (("median", "median"), ("lower", "median_lower"),
                          ("upper", "median_upper")):
            assert ard_value(ard, variable="median", statistic=stat, **s) == pytest.approx(
                r[f"os_{arm}_{key}"], rel=REL)
    assert logrank_p(ard, "os", "arm") == pytest.approx(r["os_logrank_trt"], rel=REL)
    assert logrank_p(ard, "os", "cell_type") == pytest.approx(r["os_logrank_celltype"],
                                                              rel=REL)
    check_cox(ard, r, "os", "os", TERMS_LABELLED, REL)
    cells = {v for v in ard.loc[ard["group_var"] == "cell_type", "group_level"] if v}
    assert cells == {"Adenocarcinoma", "Large cell", "Small cell", "Squamous cell"}


@pytest.mark.reference
def test_time_from_diagnosis_equals_r(cohort_dir, run_cli, r):
    said, ran, out = _validate_and_run(run_cli, cohort_dir / "veteran_dx.yaml")
    assert _warnings(said) == [] and _warnings(ran) == []
    ard = read_ard(out)
    check_km(ard, r, "osdx", "os_dx", LANDMARKS, REL)
    assert logrank_p(ard, "os_dx", "arm") == pytest.approx(r["osdx_logrank_trt"], rel=REL)
    check_cox(ard, r, "osdx", "os_dx", TERMS, REL)
    tte = pd.read_csv(out / "datasets" / "tte.csv")
    patients = pd.read_csv(out / "datasets" / "patients.csv")
    assert (pd.to_datetime(tte["start_date"]) == pd.to_datetime(
        patients["diagnosis_date"])).all()
    html = re.sub(r"<[^>]+>", " ", (out / "report.html").read_text(encoding="utf-8"))
    assert "measured from the date of diagnosis" in html


@pytest.mark.reference
def test_earlier_cutoff_truncated_equals_r(cohort_dir, run_cli, r):
    said, ran, out = _validate_and_run(run_cli, cohort_dir / "veteran_cut.yaml")
    warnings = _warnings(said)
    assert warnings == _warnings(ran)  # validate and run agree
    counts = {"patients with an index date after": r["cut_left_out"],
              "deaths after": r["cut_deaths_after"],
              "last contact after": r["cut_alive_after"]}
    assert len(warnings) == len(counts)
    for what, n in counts.items():
        (line,) = [w for w in warnings if what in w]
        assert f": {int(n)} " in line, line
    ard = read_ard(out)
    check_km(ard, r, "cut", "os", LANDMARKS, REL)
    assert logrank_p(ard, "os", "arm") == pytest.approx(r["cut_logrank_trt"], rel=REL)
    check_cox(ard, r, "cut", "os", TERMS, REL)
    html = re.sub(r"<[^>]+>", " ", (out / "report.html").read_text(encoding="utf-8"))
    assert "truncated at the data cut-off" in html


def _text(out: Path) -> str:
    html = (out / "report.html").read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_table1_by_arm(example):
    _, _, out = example
    d = pd.read_csv(R_INPUT)  # the patients as R wrote them
    n = d["trt"].value_counts()
    prior = d[d["prior"] == "yes"]["trt"].value_counts()
    table = (out / "tables" / "baseline.csv").read_text(encoding="utf-8").splitlines()
    # every count column says n (%), not the Overall column only (review)
    assert table[0].startswith(f"Characteristic,\"Standard (N={n['Standard']}), n (%)\","
                               f"\"Test (N={n['Test']}), n (%)\",\"Overall (N={len(d)}), n (%)\"")
    assert table[0].endswith(",p,SMD")
    (row,) = [x for x in table if x.startswith("Prior therapy")]  # yes_only: one row
    pct = {arm: fmt_num(100 * prior[arm] / n[arm]) for arm in ("Standard", "Test")}
    assert row.startswith(f"Prior therapy,{prior['Standard']} ({pct['Standard']}),"
                          f"{prior['Test']} ({pct['Test']}),{len(d[d['prior'] == 'yes'])} (")
    assert not any(x.strip().startswith(("Yes,", "No,")) for x in table)
    assert not any(x.startswith("Treatment") for x in table)  # the arms are the columns
    assert "Percentages of the patients of each column;" in "\n".join(table)
    assert "Percentages of all patients" not in "\n".join(table)
    assert "Groups by treatment. p:" in "\n".join(table)  # the label in prose case


@pytest.mark.reference
def test_results_summary_compares_the_arms_as_r(example, r):
    _, _, out = example
    ard = read_ard(out)

    def median(arm: str) -> str:
        s = {"analysis": "subgroup", "endpoint": "os", "group_var": "arm", "group_level": arm,
             "variable": "median"}
        got = [ard_value(ard, statistic=st, **s) for st in ("median", "lower", "upper")]
        want = [r[f"os_{arm}_{key}"] for key in ("median", "median_lower", "median_upper")]
        assert got == pytest.approx(want, rel=REL)
        return f"{fmt_num(want[0])} months (95% CI {fmt_num(want[1])}-{fmt_num(want[2])})"

    hr = [r[f"os_uni_trtTest_{st}"] for st in ("hr", "lower", "upper")]
    expected = (f"By treatment, the median overall survival was {median('Standard')} for "
                f"Standard and {median('Test')} for Test (HR for Test versus Standard "
                f"{fmt_num(hr[0], 2)}, 95% CI {fmt_num(hr[1], 2)}-{fmt_num(hr[2], 2)}; "
                f"{fmt_p_clause(r['os_logrank_trt'], name='log-rank p')}).")
    assert expected in _text(out)
