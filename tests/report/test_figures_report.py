"""The report's figures print the ARD: what each figure shows is read back from its SVG text
(or its artists) and compared with the ARD rows, not with pixels."""

import re

import numpy as np
import pytest

import _study_fixture as study_fixture
from oncocohort.analysis.keys import Analysis, Stat, Var
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.figure_steps import build_report_figures
from oncocohort.report.figures.render import render_figure


def _svg_texts(fig) -> list[str]:
    """Every text of the figure's SVG (``svg.fonttype: none`` keeps texts as text)."""
    svg = render_figure(fig, ("svg",))["svg"].decode()
    return [re.sub(r"<[^>]+>", "", t).replace("&gt;", ">").replace("&lt;", "<")
            .replace("&amp;", "&") for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)]


def _svg_width(fig) -> str:
    svg = render_figure(fig, ("svg",))["svg"].decode()
    return re.search(r'<svg[^>]* width="([^"]+)"', svg).group(1)


@pytest.fixture(scope="module")
def report():
    analysis = study_fixture.make_analysis()
    options = study_fixture.make_options().report
    return analysis, options, {f.name: f for f in build_report_figures(analysis, options)}


def test_km_figure_prints_the_ard(report):
    analysis, options, figs = report
    a = ArdLookup(analysis.ard)
    for name in analysis.endpoints:
        fig = figs[f"km_{name}"]
        where = {"analysis": Analysis.SURVIVAL, "endpoint": name}
        texts = _svg_texts(fig.figure)
        # numbers at risk: every time of the ARD's grid, the landmark times among them
        times = a.values("category", variable=Var.AT_RISK, statistic=Stat.N_AT_RISK, **where)
        marks = a.values("category", variable=Var.LANDMARK, statistic=Stat.PCT, **where)
        last = float(analysis.endpoints[name].km.table["time"].max())  # last observed time
        assert {m for m in marks if float(m) <= last} <= set(times)
        drawn = fig.drawn.at_risk
        assert [f"{t:g}" for t in drawn["time"]] == times
        assert list(drawn["n_at_risk"]) == [
            a.get(variable=Var.AT_RISK, category=t, statistic=Stat.N_AT_RISK, **where)
            for t in times]
        assert "Number at risk" in texts
        # the y axis is named for the endpoint
        label = analysis.endpoints[name].label
        assert f"{label} probability" in texts
        # the median with its interval, from the ARD
        med = {"variable": Var.MEDIAN, **where}
        est = a.get(statistic=Stat.MEDIAN, **med)
        if np.isfinite(est):
            lo, hi = (a.get(statistic=s, **med) for s in (Stat.LOWER, Stat.UPPER))
            bounds = [f"{v:.1f}" if np.isfinite(v) else "NR" for v in (lo, hi)]
            assert (f"Median {est:.1f} months (95% CI {bounds[0]}-{bounds[1]})") in texts
        else:
            assert "Median not reached" in texts
        # landmark rates, labelled as such
        for m in marks:
            pct = a.get(variable=Var.LANDMARK, category=m, statistic=Stat.PCT, **where)
            if np.isfinite(pct):
                assert f"{m}-month rate {pct:.1f}%" in texts


def test_single_arm_km_figures_have_one_width(report):
    analysis, _, figs = report
    widths = {_svg_width(figs[f"km_{name}"].figure) for name in analysis.endpoints}
    assert len(analysis.endpoints) >= 2 and len(widths) == 1


def test_km_options_band_and_events_row():
    analysis = study_fixture.make_analysis(km={"ci_band": True, "cumulative_events": True})
    options = study_fixture.make_options(km={"ci_band": True, "cumulative_events": True}).report
    assert options.km_ci_band and options.km_cumulative_events
    fig = {f.name: f for f in build_report_figures(analysis, options)}["km_os"]
    ax = fig.figure.axes[0]
    assert len(ax.collections) >= 1  # the band (fill_between)
    a = ArdLookup(analysis.ard)
    where = {"analysis": Analysis.SURVIVAL, "endpoint": "os"}
    events = fig.figure.axes[2]
    printed = [t.get_text() for t in events.texts if t.get_transform() == events.transData]
    times = a.values("category", variable=Var.AT_RISK, statistic=Stat.N_EVENTS, **where)
    assert printed == [str(int(a.get(variable=Var.AT_RISK, category=t,
                                      statistic=Stat.N_EVENTS, **where))) for t in times]
    assert "Cumulative number of events" in [t.get_text() for t in events.texts]
    assert "shaded: pointwise 95% CI" in fig.caption


@pytest.mark.by_hand
def test_flowchart_continues_past_the_included_patients(report):
    """Fixture: 20 screened, 12 included; P04 and P10 still on treatment, P09 stopped for an
    adverse event, the other 9 for progression; 11 with a best response other than NE, 3
    responders (CR P10, PR P01 P02); 12 in the safety population."""
    analysis, _, figs = report
    fig = figs["flowchart"]
    boxes = fig.drawn.boxes
    assert boxes[0] == "20 patients screened"
    included = boxes.index("12 patients included")
    assert boxes[included + 1].splitlines() == ["10 discontinued treatment", "• 9 progression",
                                                "• 1 adverse event"]
    assert boxes[included + 2] == "2 still on treatment at the data cut-off"
    assert boxes[included + 3].splitlines() == [
        "Analysis sets", "12 analyzed", "11 evaluable for response",
        "3 responders (complete or partial response)", "12 in the safety analysis"]
    # the same counts in the ARD
    a = ArdLookup(analysis.ard)
    assert a.get(analysis=Analysis.DISPOSITION, variable=Var.STATUS, statistic=Stat.N,
                 category="on treatment at data cut-off") == 2
    assert a.get(analysis=Analysis.RESPONSE, variable=Var.EVALUABLE, statistic=Stat.N) == 11
    assert a.get(analysis=Analysis.RESPONSE, variable=Var.ORR, statistic=Stat.N) == 3
    texts = " ".join(_svg_texts(fig.figure))
    assert "counted once, at the first criterion they fail" in texts
    assert "10 discontinued treatment" in texts and "• 9 progression" in texts


def test_flowchart_leaves_out_the_sections_a_study_lacks():
    sections = {"exposure": False, "response": False, "safety": False}
    analysis = study_fixture.make_analysis(sections=sections)
    options = study_fixture.make_options(sections=sections).report
    fig = {f.name: f for f in build_report_figures(analysis, options)}["flowchart"]
    boxes = fig.drawn.boxes
    assert not any("discontinued" in b or "on treatment" in b for b in boxes)
    assert boxes[-1] == "Analysis sets\n12 analyzed"
    assert "disposition" not in fig.caption


def test_flowchart_fits_a_single_column_at_8_pt(report):
    from oncocohort.report.assemble import flowchart_rows
    from oncocohort.report.figures.flowchart import compute_flowchart_figure

    analysis, _, _ = report
    discontinued, sets = flowchart_rows(analysis)
    for width_mm in (85, 180):
        res = compute_flowchart_figure(analysis.attrition, discontinued=discontinued,
                                       analysis_sets=sets, width_mm=width_mm)
        fig = res.figure
        assert min(t.get_fontsize() for t in fig.findobj(lambda o: hasattr(o, "get_fontsize"))
                   if getattr(t, "get_text", lambda: "")()) >= 8
        fig.draw_without_rendering()
        box = fig.get_tightbbox(fig.canvas.get_renderer())
        assert box.width <= width_mm / 25.4 + 1e-6


def test_forest_plots_of_both_models_print_the_ard(report):
    analysis, options, figs = report
    a = ArdLookup(analysis.ard)
    for endpoint, res in analysis.subgroups.items():
        for model, name in ((Analysis.COX_UNIVARIABLE, f"forest_{endpoint}"),
                            (Analysis.COX_MULTIVARIABLE, f"forest_{endpoint}_multivariable")):
            terms = [(v, lv) for v in a.values("group_var", analysis=model, endpoint=endpoint,
                                               variable=Var.HR)
                     for lv in a.values("group_level", analysis=model, endpoint=endpoint,
                                        group_var=v, variable=Var.HR)]
            if not terms:
                assert name not in figs
                continue
            texts = _svg_texts(figs[name].figure)
            for v, lv in terms:
                w = {"analysis": model, "endpoint": endpoint, "group_var": v,
                     "group_level": lv, "variable": Var.HR}
                hr, lo, hi = (a.get(statistic=s, **w) for s in (Stat.HR, Stat.LOWER,
                                                                 Stat.UPPER))
                assert f"{hr:.2f} ({lo:.2f}-{hi:.2f})" in texts
            assert "HR (95% CI)" in texts and "p" in texts
            assert ("Patients/events" in texts) == (model == Analysis.COX_UNIVARIABLE)


def test_waterfall_n_is_the_ard_count(report):
    analysis, _, figs = report
    a = ArdLookup(analysis.ard)
    n = a.get(analysis=Analysis.RESPONSE, variable=Var.BEST_PCT_CHANGE, statistic=Stat.N)
    fig = figs["waterfall"]
    assert len(fig.drawn.bars) == n
    assert f"Patients (n = {int(n)})" in _svg_texts(fig.figure)
