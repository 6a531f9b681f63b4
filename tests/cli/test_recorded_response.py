"""A best response recorded by the investigators, end to end through the CLI.

A hospital's sheet with one column of best overall response per patient and no tumour
assessments goes through ``init`` and ``run`` to a report with the response table: the BOR
counts are read back from the workbook here (pandas, not oncocohort), the ORR and DCR
intervals are Clopper-Pearson bounds solved here from the binomial tails, and the methods
and footnote say that response was taken as recorded, not derived from lesion measurements.
With tumour assessments as well, the derived best response is analysed and the recorded one
is not (``validate`` warns; the report says how many recorded codes differ).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from scipy.optimize import brentq
from scipy.stats import binom

from fixtures.workbooks import make as workbook_maker
from oncocohort.cli import ExitStatus, main

WORDS = {"Complete response": "CR", "Partial response": "PR", "Stable disease": "SD",
         "Progressive disease": "PD", "Not evaluable": "NE"}


def run(argv):
    buf = io.StringIO()
    code = main([str(a) for a in argv], console=Console(file=buf, width=300,
                                                        color_system=None))
    return code, buf.getvalue()


def _clopper_pearson(x: int, n: int) -> tuple[float, float]:
    """95% exact bounds: P(X >= x | lower) = P(X <= x | upper) = 0.025 (x strictly between
    0 and n)."""
    lower = brentq(lambda p: binom.sf(x - 1, n, p) - 0.025, 1e-12, x / n, xtol=1e-15)
    upper = brentq(lambda p: binom.cdf(x, n, p) - 0.025, x / n, 1 - 1e-12, xtol=1e-15)
    return lower, upper


def _ard(out: Path, **where) -> float:
    ard = pd.read_csv(out / "results" / "ard.csv", keep_default_na=False)
    hit = ard
    for k, v in where.items():
        hit = hit[hit[k].astype(str) == str(v)]
    assert len(hit) == 1, where
    return float(hit["value"].iloc[0])


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_init_and_run_report_the_recorded_best_response(tmp_path, kind):
    paths = workbook_maker.make("clear", seed=60_221, n=67, out=tmp_path / "data",
                                best_response=True)
    spec = tmp_path / "study.yaml"
    code, text = run(["init", paths[kind], "--out", spec])
    assert code == ExitStatus.OK, text
    written = spec.read_text(encoding="utf-8")
    line = next(x for x in written.splitlines() if x.strip().startswith("best_response: \""))
    assert "response as recorded by the investigators" in line
    assert "not derived from lesion measurements" in line
    assert "TODO" not in written.split("\nstudy:")[1]
    code, said = run(["validate", spec])
    assert code == ExitStatus.OK and "warning" not in said, said
    out = tmp_path / "results"
    code, text = run(["run", spec, "--out", out])
    assert code == ExitStatus.OK, text

    # the counts, from the workbook as pandas reads it
    sheet = (pd.read_excel(paths["xlsx"], dtype=str) if kind == "xlsx"
             else pd.read_csv(paths["csv"], dtype=str))
    cells = sheet["Best overall response"].map(lambda v: WORDS.get(v, v))
    n = len(cells)
    counts = cells.fillna("NE").value_counts()
    assert cells.isna().sum() > 0 and (cells == "NE").sum() > 0  # both kinds of NE
    table = pd.read_csv(out / "tables" / "response.csv", keep_default_na=False)
    shown = dict(zip(table["Response"].str.strip(), table["n (%)"], strict=True))
    for code_ in ("CR", "PR", "SD", "PD", "NE"):
        k = int(counts.get(code_, 0))
        assert shown[code_] == f"{k} ({100 * k / n:.1f})", code_
    assert shown["No best response recorded"].startswith(f"{int(cells.isna().sum())} (")
    assert shown["Recorded as not evaluable"].startswith(f"{int((cells == 'NE').sum())} (")
    for var, codes in (("orr", ("CR", "PR")), ("dcr", ("CR", "PR", "SD"))):
        x = int(cells.isin(codes).sum())
        lower, upper = _clopper_pearson(x, n)
        assert _ard(out, analysis="response", variable=var, statistic="n") == x
        assert _ard(out, analysis="response", variable=var, statistic="pct") == \
            pytest.approx(100 * x / n, rel=1e-12)
        # the root is found to 1e-15; 1e-9 relative is far above that and the code's beta
        assert _ard(out, analysis="response", variable=var, statistic="lower") == \
            pytest.approx(100 * lower, rel=1e-9)
        assert _ard(out, analysis="response", variable=var, statistic="upper") == \
            pytest.approx(100 * upper, rel=1e-9)
        row = next(r for r in shown if r.startswith(
            "Objective" if var == "orr" else "Disease control"))
        estimate = table.loc[table["Response"].str.strip() == row, "Estimate"].iloc[0]
        assert estimate == f"{100 * x / n:.1f} ({100 * lower:.1f}-{100 * upper:.1f})"
    assert _ard(out, analysis="response", variable="recorded_bor", statistic="n") == \
        int(cells.notna().sum())
    assert f"Tumor response (denominator N={n})" in \
        (out / "report.html").read_text(encoding="utf-8")

    notes = " ".join(table["Response"])
    assert "best overall response as recorded by the investigators, not derived from " \
           "lesion measurements" in notes
    html = re.sub(r"\s+", " ", (out / "report.html").read_text(encoding="utf-8"))
    assert "Tumor response was taken as recorded by the investigators" in html
    assert "not derived from lesion measurements" in html
    assert f"({int(cells.notna().sum())} of {n} patients had one)" in html
    assert "per RECIST 1.1 was derived" not in html
    # nothing a recorded code cannot give: no waterfall, no time to response, no DoR
    assert not list((out / "figures").glob("waterfall*"))
    ard = pd.read_csv(out / "results" / "ard.csv", keep_default_na=False)
    assert not ard["variable"].isin(["time_to_response", "best_pct_change",
                                     "lesion_measured"]).any()
    assert set(ard["endpoint"]) - {""} == {"os"}
    assert (out / "datasets" / "best_response.csv").exists()


def _tiny_study(where: Path) -> Path:
    """Six patients with a recorded best response and visit responses that disagree with it
    in two: derived CR, PR, SD, SD, PD and NE (no assessment); recorded (p5 empty) PR for the
    derived PR and for a derived SD, PR for the patient without an assessment."""
    where.mkdir()
    pd.DataFrame({
        "subject_id": [f"p{i}" for i in range(1, 7)],
        "index_date": ["2024-01-01"] * 6, "age": [60, 61, 62, 63, 64, 65],
        "last_alive_date": ["2024-10-01"] * 6,
        "death_date": ["", "", "2024-08-01", "", "", ""],
        "best_response": ["PR", "PR", "PD", "PR", "", "SD"],
    }).to_csv(where / "patients.csv", index=False)
    pd.DataFrame({
        "subject_id": ["p1", "p2", "p3", "p5", "p6"],
        "assessment_date": ["2024-02-26"] * 5,  # day 56, after the 42-day SD window
        "response": ["PR", "SD", "PD", "CR", "SD"],
    }).to_csv(where / "responses.csv", index=False)
    spec = where / "study.yaml"
    spec.write_text(
        "study: {name: Precedence, data_cutoff: 2024-12-31}\n"
        "sources:\n"
        "  patients: {file: patients.csv}\n"
        "  responses: {file: responses.csv}\n"
        "endpoints:\n"
        "  os: {label: Overall survival, events: [death], censor: [last_alive]}\n",
        encoding="utf-8")
    return spec


def test_with_assessments_the_derived_best_response_wins(tmp_path):
    spec = _tiny_study(tmp_path / "study")
    code, said = run(["validate", spec])
    assert code == ExitStatus.OK, said
    warning = [x for x in said.splitlines() if "recorded_response_unused" in x
               or "the best response recorded here is not analysed" in x]
    assert len(warning) == 1 and "patients.csv" in warning[0] \
        and "'best_response'" in warning[0], said
    out = tmp_path / "out"
    code, text = run(["run", spec, "--out", out])
    assert code == ExitStatus.OK, text
    # derived: CR p5, PR p1 -> ORR 2 of 6 (the recorded codes would give 3: p1, p2, p4)
    assert _ard(out, analysis="response", variable="orr", statistic="n") == 2
    assert _ard(out, analysis="response", variable="dcr", statistic="n") == 4
    assert _ard(out, analysis="response", variable="bor", category="NE", statistic="n") == 1
    assert _ard(out, analysis="response", variable="recorded_bor_unused", statistic="n") == 5
    assert _ard(out, analysis="response", variable="recorded_bor_differs", statistic="n") == 2
    html = re.sub(r"\s+", " ", (out / "report.html").read_text(encoding="utf-8"))
    assert ("The best overall response recorded by the investigators (5 patients) was not "
            "analyzed: the one derived from the tumor assessments takes precedence (it "
            "differed from the recorded one in 2 of them).") in html
    assert "taken as recorded by the investigators" not in html
    table = pd.read_csv(out / "tables" / "response.csv", keep_default_na=False)
    assert any("the one recorded by the investigators (not analyzed) differed in 2 of 5 "
               "patients" in r for r in table["Response"])
    assert "the best response recorded here is not analysed" in \
        (out / "validation.txt").read_text(encoding="utf-8")
