"""The report of the competing-risk, RMST, landmark and time-varying analyses
(examples/escc-competing-risks): tables and figures from the ARD, numbers at risk under the
x ticks, methods text; the figures are rendered to PNG (test-artifacts when CI keeps them)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from oncocohort.analysis.ard import ard_value
from oncocohort.report.content import build_report
from oncocohort.report.figures.cif import CifFigure
from oncocohort.report.figures.km import KmFigure
from oncocohort.study.load import load_study
from oncocohort.study.run import run_study

EXAMPLE = Path(__file__).parents[2] / "examples" / "escc-competing-risks" / "study.yaml"


@pytest.fixture(scope="module")
def report():
    results = run_study(load_study(EXAMPLE))
    return results.analysis, build_report(results.analysis, results.options.report,
                                          results.problems)


def test_tables_of_each_analysis(report):
    analysis, content = report
    names = [t.name for t in content.tables]
    for name in ("competing_ttp", "fine_gray_ttp", "rmst", "landmark_os_first_response",
                 "time_varying_os_first_response"):
        assert name in names
    tables = {t.name: t for t in content.tables}
    survival = tables["survival"]
    rmst_row = [r for r in survival.rows if r[0].startswith("RMST to 12 months")][0]
    est = ard_value(analysis.ard, analysis="rmst", endpoint="os", variable="rmst",
                    category="12", statistic="estimate", group_var="")
    assert rmst_row[1].startswith(f"{est:.2f} (")
    assert any("tau" in n and "Greenwood" in n for n in survival.footnotes)
    cr = tables["competing_ttp"]
    assert cr.rows[0][1:4] == ("87", "59", "10")
    assert any("Aalen-Johansen" in n and "cmprsk cuminc" in n for n in cr.footnotes)
    assert any("sandwich" in n for n in tables["fine_gray_ttp"].footnotes)
    assert any("guarantee-time" in n for n in tables["landmark_os_first_response"].footnotes)
    assert any("Mantel-Byar" in n for n in tables["time_varying_os_first_response"].footnotes)
    assert "Aalen-Johansen" in content.methods and "Restricted mean survival time" in \
        content.methods and "landmark analysis at 3 months" in content.methods


def test_cif_figure_prints_the_ard_under_its_ticks(report, tmp_path):
    analysis, content = report
    fig = {f.name: f for f in content.figures}["cif_ttp"]
    drawn = fig.drawn
    assert isinstance(drawn, CifFigure)
    ax = fig.figure.axes[0]
    ticks = ax.get_xticks()
    np.testing.assert_array_equal(ticks, drawn.at_risk["time"].to_numpy())
    table_ax = fig.figure.axes[1]
    cells = sorted((t.get_position()[0], t.get_text()) for t in table_ax.texts
                   if t.get_text().isdigit())
    assert [x for x, _ in cells] == list(ticks)  # one number per tick, at the tick
    for t, text in cells:
        n = ard_value(analysis.ard, analysis="competing_risks", endpoint="ttp",
                      variable="at_risk", category=f"{t:g}", statistic="n_at_risk",
                      group_var="")
        assert text == str(int(n))
    pct = ard_value(analysis.ard, analysis="competing_risks", endpoint="ttp",
                    variable="cif_event", category="12", statistic="pct", group_var="")
    assert f"{pct:.1f}%" in list(drawn.marks["text"])
    assert "Gray's test by ECOG performance status: p = 0.743" in drawn.annotation
    fig.figure.savefig(tmp_path / "cif.png")
    assert (tmp_path / "cif.png").stat().st_size > 10_000


def test_landmark_figure_numbers_at_risk_from_the_landmark(report):
    analysis, content = report
    fig = {f.name: f for f in content.figures}["landmark_os3"]
    assert isinstance(fig.drawn, KmFigure)
    first = fig.drawn.at_risk[fig.drawn.at_risk["time"] == 0]
    for _, r in first.iterrows():
        level = "Yes" if r["curve"].endswith("yes") else "No"
        assert r["n_at_risk"] == ard_value(
            analysis.ard, analysis="landmark_analysis", endpoint="os",
            group_var="first_response", group_level=level, category="3",
            variable="patients", statistic="n")


def test_simon_makuch_figure_counts_patients_in_each_group(report):
    analysis, content = report
    fig = {f.name: f for f in content.figures}["simonmakuch_os"]
    at = fig.drawn.at_risk
    # at time 0 everyone is without response; later, the two groups add up to those at risk
    first = at[at["time"] == 0].set_index("curve")["n_at_risk"]
    assert first["Response no"] == 87 and first["Response yes"] == 0
    for t in sorted(set(at["time"]))[1:]:
        both = at[at["time"] == t]["n_at_risk"].sum()
        os_at = analysis.endpoints["os"].km.survival_at([t])["n_at_risk"].iloc[0]
        assert both == os_at


def test_each_figure_follows_its_table(report):
    _, content = report
    order = [name for _, name in content.order]
    for table, fig in (("competing_ttp", "cif_ttp"), ("landmark_os_first_response",
                                                      "landmark_os3"),
                       ("time_varying_os_first_response", "simonmakuch_os")):
        assert order.index(fig) == order.index(table) + 1, (table, fig)
