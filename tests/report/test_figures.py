"""Figures checked structurally: what they print equals an independent count from the data."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from oncocohort.analysis.ard import ard_frame
from oncocohort.analysis.survival import compute_survival_rows
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.figure_steps import km_curve
from oncocohort.report.figures.flowchart import compute_flowchart_figure
from oncocohort.report.figures.km import compute_km_figure
from oncocohort.report.figures.render import figure_svg, render_figure
from oncocohort.report.figures.swimmer import compute_swimmer_figure
from oncocohort.report.figures.waterfall import NEW_LESION_MARKER, compute_waterfall_figure
from oncocohort.stats.kaplan_meier import kaplan_meier


def _curve(label, time, event, *, times, landmarks=()):
    """A figure curve as the report builds it: ARD rows of the analysis, read back."""
    km, rows = compute_survival_rows(time, event, endpoint="os", unit="months",
                                     landmarks=landmarks, at_risk_times=times,
                                     group_var="g", group_level=label)
    return km_curve(ArdLookup(ard_frame(rows)), label, km, analysis="survival", endpoint="os",
                    group_var="g", group_level=label)


def _printed_at_risk(fig, table=1):
    """The numbers of a table under the axis: (time, row from the bottom) -> count."""
    ax_tab = fig.axes[table]
    return {(round(t.get_position()[0], 9), t.get_position()[1]): int(t.get_text())
            for t in ax_tab.texts if t.get_transform() == ax_tab.transData}


@pytest.mark.by_hand
def test_km_numbers_at_risk_equal_subjects_still_followed(fixture_module):
    tte = fixture_module.make_frames()["tte"]
    os_ = tte[tte.paramcd == "os"]
    time, event = os_["aval"].to_numpy(float), os_["event"].to_numpy(int)
    km = kaplan_meier(time, event)
    ticks = np.arange(0, time.max() + 1e-9, 5)
    res = compute_km_figure([_curve("All", time, event, times=ticks, landmarks=[12])])
    printed = _printed_at_risk(res.figure)
    assert len(printed) == len(ticks) == 5  # 0, 5, 10, 15, 20 (last time 24)
    for t in ticks:
        assert printed[(t, 0)] == int((time >= t).sum())  # independent of the estimator
    assert list(res.at_risk["n_at_risk"]) == [printed[(t, 0)] for t in ticks]
    assert res.medians["median"].iloc[0] == km.median.estimate == 14.0
    texts = [t.get_text() for t in res.figure.axes[0].texts]
    assert "12-month rate 58.3%" in texts  # 12-month landmark: S(12) = 7/12
    m = km.median  # the ARD's median and interval, printed with the unit
    bound = [f"{v:.1f}" if np.isfinite(v) else "NR" for v in (m.lower, m.upper)]
    assert f"Median 14.0 months (95% CI {bound[0]}-{bound[1]})" in texts


@pytest.mark.by_hand
def test_km_two_curves_rows(fixture_module):
    tte = fixture_module.make_frames()["tte"]
    pats = fixture_module.make_frames()["patients"].set_index("subject_id")
    os_ = tte[tte.paramcd == "os"].set_index("subject_id")
    curves = []
    for g in ("0", "1-2"):
        sub = os_[pats.loc[os_.index, "ecog_group"] == g]
        curves.append(_curve(g, sub["aval"].to_numpy(float), sub["event"].to_numpy(int),
                             times=(0.0, 10.0, 20.0)))
    res = compute_km_figure(curves, annotation="Log-rank p = 0.026", legend_title="ECOG")
    printed = _printed_at_risk(res.figure)
    # row 1 (top) is the first curve: ECOG 0 = P01 P02 P04 P08 P10, times 20 18 14 13 24
    assert printed[(0.0, 1)] == 5 and printed[(10.0, 1)] == 5 and printed[(20.0, 1)] == 2
    assert printed[(0.0, 0)] == 7
    lines = "\n".join(t.get_text() for t in res.figure.axes[0].texts).split("\n")
    assert "Log-rank p = 0.026" in lines
    assert "0: not reached" in lines  # ECOG 0: 2 deaths in 5 patients
    assert res.legend == ("ECOG", "0 (n = 5)", "1-2 (n = 7)")
    legend = res.figure.axes[0].get_legend()
    assert legend.get_title().get_text() == "ECOG"
    assert [t.get_text() for t in legend.get_texts()] == ["0 (n = 5)", "1-2 (n = 7)"]
    styles = [h.get_linestyle() for h in legend.legend_handles]
    assert styles[0] != styles[1]  # apart in greyscale too


@pytest.mark.by_hand
def test_waterfall_bar_count(fixture_module):
    best = fixture_module.make_frames()["best_response"]
    res = compute_waterfall_figure(best, response="best_response")
    bars = [p for p in res.figure.axes[0].patches if isinstance(p, Rectangle)]
    assert len(bars) == len(res.bars) == int(best["best_pct_change"].notna().sum()) == 11
    heights = [b.get_height() for b in bars]
    assert heights == sorted(heights, reverse=True)
    assert heights[0] == 40.0 and heights[-1] == -100.0


@pytest.mark.by_hand
def test_swimmer_lanes_and_markers(analysis):
    from matplotlib.collections import PolyCollection

    res = compute_swimmer_figure(analysis.swimmer)
    ax = res.figure.axes[0]
    bars = [p for c in ax.collections if isinstance(c, PolyCollection) for p in c.get_paths()]
    assert len(bars) == 12
    # each bar from 0 to its patient's duration, on its lane (longest at the top)
    ends = sorted(((float(p.vertices[:, 1].mean()), float(p.vertices[:, 0].max()))
                   for p in bars), reverse=True)
    assert [e for _, e in ends] == pytest.approx(res.lanes["duration"].tolist(), rel=1e-12)
    assert int(res.lanes["marker_response"].sum()) == 3  # CR P10, PR P01 P02
    assert int(res.lanes["marker_ongoing"].sum()) == 2  # P04, P10
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "P10"
    small = compute_swimmer_figure(analysis.swimmer, max_lanes=5)
    assert len(small.lanes) == 5


@pytest.mark.by_hand
def test_flowchart_boxes(fixture_module):
    res = compute_flowchart_figure(fixture_module.make_frames()["attrition"])
    assert res.boxes[0] == "20 patients screened"
    assert res.boxes[1].startswith("5 did not meet an inclusion criterion")
    assert res.boxes[2].startswith("3 met an exclusion criterion")
    assert res.boxes[-1] == "12 patients included"


def test_render_is_byte_stable(fixture_module):
    best = fixture_module.make_frames()["best_response"]
    fig = compute_waterfall_figure(best, response="best_response").figure
    a = figure_svg(fig)
    b = figure_svg(fig)
    assert a == b and a.startswith("<svg")
    files = render_figure(fig)
    assert list(files) == ["png", "svg", "pdf"]
    assert files["png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert files["pdf"][:5] == b"%PDF-"


@pytest.mark.by_hand
def test_forest_prints_the_rows(analysis, report_options):
    from oncocohort.report.assemble import forest_rows
    from oncocohort.report.figures.forest import compute_forest_figure

    rows = forest_rows(analysis.ard, "os", report_options)
    res = compute_forest_figure(rows)
    ax = res.figure.axes[0]
    printed = [t.get_text() for t in ax.texts]
    hr = rows.dropna(subset=["hr"])
    assert len(hr) == 2  # sex M vs F, ECOG 1-2 vs 0
    for r in hr.itertuples():
        assert f"{r.hr:.2f} ({r.lower:.2f}-{r.upper:.2f})" in printed
    assert printed.count("1 (reference)") == 2
    # fixture: ECOG 0 = P01 P02 P04 P08 P10 (deaths P02 P08), 1-2 the other 7 (6 deaths)
    assert rows.loc[rows["label"] == "0 (reference)", "n_text"].item() == "5/2"
    assert rows.loc[rows["label"] == "1-2", "n_text"].item() == "7/6"
    assert {"5/2", "7/6"} <= set(printed)
    assert res.headers == ("Variable", "Patients/events", "HR (95% CI)", "p")
    assert set(res.headers) <= set(printed)
    assert "\u2190 Lower hazard than reference" in printed
    assert "Higher hazard than reference \u2192" in printed
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert "1" in ticks and not any("times" in t or "^" in t for t in ticks)


@pytest.mark.by_hand
def test_km_events_and_small_counts(fixture_module):
    tte = fixture_module.make_frames()["tte"]
    os_ = tte[tte.paramcd == "os"]
    time, event = os_["aval"].to_numpy(float), os_["event"].to_numpy(int)
    curve = _curve("All", time, event, times=(0.0, 5.0, 10.0, 15.0, 20.0))
    res = compute_km_figure([curve], show_events=True, small_cell_k=3)
    texts = {row.time: (row.text, row.events_text) for row in res.at_risk.itertuples()}
    for t in (0, 5, 10, 15, 20):
        at_risk = int((time >= t).sum())
        events = int(((time <= t) & (event == 1)).sum())
        shown = "<3" if 0 < at_risk < 3 else str(at_risk)
        shown_e = "<3" if 0 < events < 3 else str(events)
        assert texts[t] == (shown, shown_e)
    assert texts[20] == ("<3", "8")  # 20 and 24 still followed; all 8 deaths by month 18
    tables = res.figure.axes[1:3]
    for ax, title, col in zip(tables, ("Number at risk", "Cumulative number of events"),
                              (0, 1), strict=True):
        printed = {t.get_position()[0]: t.get_text() for t in ax.texts
                   if t.get_transform() == ax.transData}
        assert printed == {t: v[col] for t, v in texts.items()}
        assert title in [t.get_text() for t in ax.texts]


def test_swimmer_ids_hidden(analysis):
    res = compute_swimmer_figure(analysis.swimmer, show_ids=False)
    assert not res.labelled
    assert {t.get_text() for t in res.figure.axes[0].get_yticklabels()} <= {""}


def test_large_waterfall_is_one_collection_with_every_bar():
    from matplotlib.collections import PolyCollection

    from oncocohort.report.figures.waterfall import MAX_BAR_PATCHES

    n = MAX_BAR_PATCHES + 1
    best = pd.DataFrame({"subject_id": [f"S{i:05d}" for i in range(n)],
                         "best_pct_change": np.linspace(-90, 60, n),
                         "bor": ["PR"] * 100 + ["SD"] * (n - 100)})
    res = compute_waterfall_figure(best)
    (coll,) = [c for c in res.figure.axes[0].collections if isinstance(c, PolyCollection)]
    assert len(coll.get_paths()) == n == len(res.bars)
    assert res.bars["best_pct_change"].iloc[0] == 60  # largest increase first
    # the SVG holds a picture of the bars, not a path per bar (the axes stay vector)
    svg = render_figure(res.figure, ("svg",))["svg"].decode()
    assert svg.count("<image") == 1 and svg.count("<path") < 100, svg.count("<path")


@pytest.mark.by_hand
def test_flowchart_suppresses_small_rule_counts_with_a_complement():
    import pandas as pd

    attrition = pd.DataFrame({
        "step": [0, 1, 2, 3, 4, 5],
        "kind": ["screened", "inclusion", "inclusion", "inclusion", "exclusion", "exclusion"],
        "rule": ["", "a", "b", "c", "d", "e"],
        "label": ["Screened", "A", "B", "C", "D", "E"],
        "n_before": [100, 100, 70, 68, 60, 52],
        "n_excluded": [0, 30, 2, 8, 8, 7],
        "n_remaining": [100, 70, 68, 60, 52, 45],
    })
    plain = compute_flowchart_figure(attrition)
    assert plain.boxes[1].splitlines()[1:] == ["• 30 A", "• 2 B", "• 8 C"]
    res = compute_flowchart_figure(attrition, small_cell_k=5)
    # 2 < 5 is hidden; alone it could be recovered from the total 40, so the smallest other
    # count (8, rule C) is hidden too. Totals and counts >= k stay.
    assert res.boxes[1].splitlines() == ["40 did not meet an inclusion criterion", "• 30 A",
                                         "• <5 B", "• * C"]
    assert res.boxes[2].splitlines()[1:] == ["• 8 D", "• 7 E"]
    assert res.boxes[0] == "100 patients screened"


@pytest.mark.by_hand
def test_flowchart_suppression_cannot_be_undone_from_the_totals():
    import pandas as pd

    # One exclusion rule of 4: its box total is the same 4, and the inclusion total (113)
    # gives it back as screened - included - 113. So the 4 is hidden in both places and the
    # inclusion total with it; then the inclusion rules would add up to the hidden 113, so
    # their smallest count (13) goes too.
    attrition = pd.DataFrame({
        "step": [0, 1, 2, 3],
        "kind": ["screened", "inclusion", "inclusion", "exclusion"],
        "rule": ["", "a", "b", "c"],
        "label": ["Screened", "A", "B", "C"],
        "n_before": [231, 231, 131, 118],
        "n_excluded": [0, 100, 13, 4],
        "n_remaining": [231, 131, 118, 114],
    })
    res = compute_flowchart_figure(attrition, small_cell_k=5)
    assert res.boxes[1].splitlines() == ["* did not meet an inclusion criterion", "• 100 A",
                                         "• * B"]
    assert res.boxes[2].splitlines() == ["<5 met an exclusion criterion", "• <5 C"]
    assert res.boxes[0] == "231 patients screened"
    assert res.boxes[-1] == "114 patients included"


def test_km_curves_need_one_time_grid(fixture_module):
    tte = fixture_module.make_frames()["tte"]
    os_ = tte[tte.paramcd == "os"]
    time, event = os_["aval"].to_numpy(float), os_["event"].to_numpy(int)
    a = _curve("a", time, event, times=(0.0, 5.0))
    b = _curve("b", time, event, times=(0.0, 10.0))
    with pytest.raises(ValueError, match="same at-risk times"):
        compute_km_figure([a, b])


@pytest.mark.by_hand
def test_waterfall_marks_pd_by_new_lesion_and_names_the_axis():
    best = pd.DataFrame({
        "subject_id": ["A", "B", "C", "D", "E"],
        "best_pct_change": [30.0, 2.0, -40.0, np.nan, -5.0],
        "bor": ["PD", "PD", "PR", "NE", "SD"],
        "pd_new_lesion": ["N", "Y", "", "", "Y"],  # E: SD, later a new lesion: not marked
    })
    res = compute_waterfall_figure(best, n=4)
    assert res.bars["subject_id"].tolist() == ["A", "B", "E", "C"]
    assert res.bars["new_lesion"].tolist() == [False, True, False, False]
    ax = res.figure.axes[0]
    (marks,) = [ln for ln in ax.lines if ln.get_marker() == NEW_LESION_MARKER]
    assert [tuple(map(float, p)) for p in marks.get_xydata()] == [(1.0, 2.0)]  # over B's bar
    assert ax.get_xlabel() == res.xlabel == "Patients (n = 4)"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["PR", "SD", "PD", "PD by new lesion"]


@pytest.mark.by_hand
def test_swimmer_draws_every_patient_with_death_and_discontinuation(analysis):
    """Fixture: 12 treated patients; P04 and P10 on treatment, the other 10 discontinued;
    8 deaths (OS events: P02 P03 P05 P06 P07 P08 P09 P12)."""
    sw = analysis.swimmer
    res = compute_swimmer_figure(sw)
    assert len(res.lanes) == len(sw) == 12 and res.labelled
    assert int(res.lanes["marker_discontinued"].sum()) == 10
    assert set(res.lanes.loc[res.lanes["marker_death"], "subject_id"]) == {
        "P02", "P03", "P05", "P06", "P07", "P08", "P09", "P12"}
    ax = res.figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "P10"
    assert min(t.get_fontsize() for t in ax.get_yticklabels()) >= 7
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"Treatment discontinued", "Death", "Progression"} <= set(legend)
    # many patients: all drawn, no IDs (unreadable at that size), the axis says how many
    many = pd.concat([sw.assign(subject_id=sw["subject_id"] + f"-{i}") for i in range(6)])
    big = compute_swimmer_figure(many)
    assert len(big.lanes) == 72 and not big.labelled
    assert big.figure.axes[0].get_ylabel() == "Patients (n = 72), longest treatment at the top"


@pytest.mark.by_hand
def test_flowchart_suppresses_small_disposition_counts(fixture_module):
    """12 included: 9 stopped for progression, 1 for an adverse event, 2 on treatment. With
    k = 5 the 1 and the 2 are hidden; the total 10 would give the 2 back (12 - 10), so it is
    hidden too, and then the 9 (else 10 = 9 + the 1)."""
    attrition = fixture_module.make_frames()["attrition"]
    discontinued = pd.DataFrame({"label": ["progression", "adverse event"], "n": [9, 1]})
    res = compute_flowchart_figure(attrition, discontinued=discontinued, small_cell_k=5)
    stopped = next(b for b in res.boxes if "discontinued" in b)
    assert stopped.splitlines() == ["* discontinued treatment", "• * progression",
                                    "• <5 adverse event"]
    assert "<5 still on treatment at the data cut-off" in res.boxes
    plain = compute_flowchart_figure(attrition, discontinued=discontinued)
    assert "2 still on treatment at the data cut-off" in plain.boxes
    # nothing small: nothing hidden
    big = pd.DataFrame({"label": ["progression", "adverse event"], "n": [5, 5]})
    res = compute_flowchart_figure(attrition, discontinued=big, small_cell_k=2)
    assert "2 still on treatment at the data cut-off" in res.boxes
    assert next(b for b in res.boxes if "discontinued" in b).startswith("10 discontinued")


def test_swimmer_is_a_few_artists_whatever_the_patients(analysis):
    """Lanes as one collection per best response, each marker kind one line, the arrows one
    collection and one line: 300 patients draw no more artists than 12."""
    sw = analysis.swimmer
    many = pd.concat([sw.assign(subject_id=sw["subject_id"] + f"-{i}") for i in range(25)])
    counts = []
    for frame in (sw, many):
        res = compute_swimmer_figure(frame)
        ax = res.figure.axes[0]
        counts.append(len(ax.collections) + len(ax.lines) + len(ax.patches) + len(ax.texts))
    assert len(many) == 300 and counts[1] <= counts[0] <= 12


def test_report_leaves_a_large_cohort_swimmer_out_and_says_why(analysis, report_options):
    """Up to MAX_SWIMMER_PATIENTS treated patients every one has a lane; beyond, the report
    has no swimmer plot and the exposure table's footnote says why."""
    from dataclasses import replace

    from oncocohort.report.assemble import build_report_tables
    from oncocohort.report.figure_steps import build_report_figures
    from oncocohort.report.figures.sizes import MAX_SWIMMER_PATIENTS

    sw = analysis.swimmer
    reps = MAX_SWIMMER_PATIENTS // len(sw) + 1
    many = pd.concat([sw.assign(subject_id=sw["subject_id"] + f"-{i}") for i in range(reps)])
    at_limit = many.head(MAX_SWIMMER_PATIENTS)
    for frame, drawn in ((at_limit, True), (many, False)):
        big = replace(analysis, swimmer=frame)
        names = [f.name for f in build_report_figures(big, report_options)]
        exposure = next(t for t in build_report_tables(big, report_options)
                        if t.name == "exposure")
        note = [f for f in exposure.footnotes if f.startswith("No swimmer plot")]
        assert ("swimmer" in names) == drawn
        assert note == ([] if drawn else [
            f"No swimmer plot: {len(many)} treated patients, more than the "
            f"{MAX_SWIMMER_PATIENTS} whose lanes a page can show apart (one lane per patient "
            f"would be thinner than a hairline)."])
