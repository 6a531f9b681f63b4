"""The report's figures laid out without collisions, read from the drawn artists (their
extents as Agg draws them), not from pixels: no two x tick labels or numbers at risk overlap
(the demo in months, the lung example in days with landmarks at 90, 180, 365 and 730 days that
no round step divides), no landmark label crosses a curve, the waterfall's new-lesion markers
sit over their own bars and apart, the forest plot's side labels are centred on HR = 1."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.lines import Line2D

from oncocohort.problems import Problems
from oncocohort.report.figure_steps import build_drawn_report
from oncocohort.report.figures.cif import CifFigure
from oncocohort.report.figures.comparison import ComparisonFigure
from oncocohort.report.figures.forest import compute_forest_figure
from oncocohort.report.figures.km import KmFigure
from oncocohort.report.figures.waterfall import (
    MARK_OFFSET_PT,
    NEW_LESION_MARKER,
    compute_waterfall_figure,
)
from oncocohort.study.demo import demo_spec_path
from oncocohort.study.load import load_study
from oncocohort.study.run import run_study

EXAMPLES = Path(__file__).parents[2] / "examples"
STUDIES = {"demo": demo_spec_path, "lung-os": lambda: EXAMPLES / "lung-os" / "study.yaml",
           "escc-competing-risks": lambda: EXAMPLES / "escc-competing-risks" / "study.yaml"}


@pytest.fixture(scope="module")
def built():
    """``built(study) -> {name: ReportFigure}``, each study run and its report built once."""
    cache = {}

    def build(study: str) -> dict:
        if study not in cache:
            results = run_study(load_study(STUDIES[study]()))
            content = build_drawn_report(results.analysis, results.options.report, Problems.of([]))
            cache[study] = {f.name: f for f in content.figures}
        return cache[study]
    return build


@pytest.fixture(params=sorted(STUDIES))
def figures(request, built):
    return request.param, built(request.param)


def _time_axis(figs: dict) -> dict:
    return {name: f for name, f in figs.items()
            if isinstance(f.drawn, KmFigure | CifFigure | ComparisonFigure)}


def _overlaps(texts, renderer) -> list[tuple[str, str]]:
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_text()]
    return [(a, b) for (a, ba), (b, bb) in combinations(boxes, 2) if ba.overlaps(bb)]


def test_no_tick_labels_or_numbers_at_risk_overlap(figures):
    study, figs = figures
    checked = _time_axis(figs)
    assert checked, study
    for name, f in checked.items():
        fig = f.figure
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        ticks = [t for t in ax.get_xticklabels() if t.get_visible()]
        assert _overlaps(ticks, renderer) == [], (study, name)
        for tab in fig.axes[1:]:  # the tables under the axis: every cell of every row
            cells = [t for t in tab.texts if t.get_transform() == tab.transData]
            assert cells, (study, name)
            assert _overlaps(cells, renderer) == [], (study, name)
            # each cell still sits under a tick
            assert {round(t.get_position()[0], 9) for t in cells} <= {
                round(float(v), 9) for v in ax.get_xticks()}, (study, name)


def test_lung_ticks_are_the_landmarks_without_the_round_times_beside_them(built):
    figs = built("lung-os")
    for name in ("km_os", "km_os_ecog_group"):
        ticks = [float(v) for v in figs[name].figure.axes[0].get_xticks()]
        assert {0.0, 90.0, 180.0, 365.0, 730.0} <= set(ticks), name
        assert not {200.0, 400.0, 800.0} & set(ticks), name  # within half a step (200)
        times = set(figs[name].drawn.at_risk["time"])
        assert times == set(ticks), name  # the numbers at risk at the ticks, and only there


def test_landmark_labels_cross_no_curve_and_stay_in_the_plot(figures):
    study, figs = figures
    labelled = 0
    for name, f in _time_axis(figs).items():
        drawn = f.drawn
        texts = set((drawn.landmarks if isinstance(drawn, KmFigure) else
                     getattr(drawn, "marks", pd.DataFrame({"text": []})))["text"])
        fig = f.figure
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        steps = [ln.get_transform().transform_path(ln.get_path()) for ln in ax.lines
                 if ln.get_drawstyle() == "steps-post"]
        assert steps, (study, name)
        for label in (t for t in ax.texts if t.get_text() in texts):
            box = label.get_window_extent(renderer)
            assert not any(p.intersects_bbox(box, filled=False) for p in steps), (
                study, name, label.get_text())
            assert ax.bbox.x0 <= box.x0 and box.x1 <= ax.bbox.x1, (study, name)
            assert ax.bbox.y0 <= box.y0 and box.y1 <= ax.bbox.y1, (study, name)
            labelled += 1
    assert labelled > 0, study
    if study == "demo":  # the 24-month rate, whose usual place crossed the drop at 20.6
        assert "24-month rate 10.8%" in {
            t.get_text() for t in figs["km_pfs"].figure.axes[0].texts}


def _markers(ax) -> list[Line2D]:
    return [ln for ln in ax.lines if ln.get_marker() == NEW_LESION_MARKER]


def _check_new_lesion_markers(res) -> np.ndarray:
    """Each marked bar has one marker MARK_OFFSET_PT over its top (over 0 below zero), the
    markers apart, the legend's marker the plotted one; returns the markers' x."""
    fig, ax = res.figure, res.figure.axes[0]
    fig.canvas.draw()
    (line,) = _markers(ax)
    x, y = (np.asarray(v, float) for v in line.get_data())
    marked = res.bars.index[res.bars["new_lesion"]].to_numpy()
    assert x.tolist() == marked.astype(float).tolist()
    top = np.maximum(res.bars.loc[marked, "best_pct_change"].to_numpy(float), 0.0)
    shown = line.get_transform().transform(np.column_stack([x, y]))
    bar_top = ax.transData.transform(np.column_stack([x, top]))
    px = fig.dpi / 72.0
    assert np.allclose(shown[:, 1] - bar_top[:, 1], MARK_OFFSET_PT * px)
    assert np.allclose(shown[:, 0], bar_top[:, 0])
    size = line.get_markersize() * px
    gaps = np.diff(np.sort(shown[:, 0]))
    assert (gaps > size).all()  # no two markers touch, neighbours included
    assert MARK_OFFSET_PT * px > size / 2  # and none reaches down into its bar
    (handle,) = [h for h, t in zip(ax.get_legend().legend_handles,
                                   ax.get_legend().get_texts(), strict=True)
                 if t.get_text() == "PD by new lesion"]
    assert (handle.get_marker(), handle.get_markersize(), handle.get_color()) == (
        line.get_marker(), line.get_markersize(), line.get_color())
    assert not [t for t in ax.texts if t.get_text().strip() in {"*", "**"}]
    return x


@pytest.mark.by_hand
def test_waterfall_markers_over_short_bars_neighbours_apart():
    # B and C neighbours (+1.0, +0.8: both PD by a new lesion), D below zero, E SD
    best = pd.DataFrame({
        "subject_id": ["A", "B", "C", "D", "E", "F"],
        "best_pct_change": [45.0, 1.0, 0.8, -2.0, 3.0, -50.0],
        "bor": ["PD", "PD", "PD", "PD", "SD", "PR"],
        "pd_new_lesion": ["N", "Y", "Y", "Y", "", ""],
    })
    res = compute_waterfall_figure(best)
    assert res.bars["subject_id"].tolist() == ["A", "E", "B", "C", "D", "F"]
    assert _check_new_lesion_markers(res).tolist() == [2.0, 3.0, 4.0]


def test_demo_waterfall_marks_the_five_new_lesion_bars(built):
    res = built("demo")["waterfall"].drawn
    x = _check_new_lesion_markers(res)
    assert len(x) == 5 and (np.diff(x) == 1).any()  # two are neighbours
    assert set(res.bars.loc[res.bars["new_lesion"], "best_response"]) == {"PD"}


@pytest.mark.by_hand
@pytest.mark.parametrize("hr", [0.5, 2.0])
def test_forest_side_labels_centred_on_hr_1(hr):
    rows = pd.DataFrame({"label": ["Arm", "B", "A"], "hr": [np.nan, hr, np.nan],
                         "lower": [np.nan, hr / 2, np.nan], "upper": [np.nan, hr * 1.8, np.nan],
                         "p": [np.nan, 0.04, np.nan], "reference": [False, False, True]})
    fig = compute_forest_figure(rows).figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    left, right = ([t for t in ax.texts if t.get_text().startswith("\u2190")]
                   + [t for t in ax.texts if t.get_text().endswith("\u2192")])
    assert left.get_text() == "\u2190 Lower hazard than reference"
    assert right.get_text() == "Higher hazard than reference \u2192"
    lb, rb = left.get_window_extent(renderer), right.get_window_extent(renderer)
    x1 = ax.transData.transform((1.0, 0.0))[0]
    assert lb.x1 < x1 < rb.x0  # the line between them
    assert abs((lb.x0 + rb.x1) / 2 - x1) < 1.0  # the pair centred on it, to a pixel
    assert abs(lb.y0 - rb.y0) < 0.5


@pytest.mark.by_hand
def test_narrow_figure_leaves_out_the_ticks_whose_numbers_would_touch():
    """25 monthly ticks of six-digit numbers at risk in a single column (85 mm): about 7 pt
    between ticks for texts 25 pt wide. The landmark (12) and 0 stay; every kept pair is
    apart; each printed number is the one at its time."""
    from oncocohort.report.figures.km import KmCurve, compute_km_figure
    from oncocohort.stats.kaplan_meier import kaplan_meier

    km = kaplan_meier(np.array([5.0, 10.0, 24.0]), np.array([1, 1, 0]))
    times = np.arange(0.0, 25.0)
    at_risk = pd.DataFrame({"time": times, "n_at_risk": (200000 - 1000 * times).astype(int),
                            "n_events": (1000 * times).astype(int)})
    curve = KmCurve("All", km, at_risk, float("nan"),
                    landmarks=pd.DataFrame({"time": [12.0], "survival": [0.667]}))
    res = compute_km_figure([curve], width_mm=85.0)
    fig = res.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ticks = [float(v) for v in fig.axes[0].get_xticks()]
    assert 0.0 in ticks and 12.0 in ticks and 2 < len(ticks) < len(times)
    cells = [t for t in fig.axes[1].texts if t.get_transform() == fig.axes[1].transData]
    assert _overlaps(cells, renderer) == []
    assert _overlaps(fig.axes[0].get_xticklabels(), renderer) == []
    assert {(t.get_position()[0], t.get_text()) for t in cells} == {
        (x, str(200000 - 1000 * int(x))) for x in ticks}
    assert res.at_risk["time"].tolist() == ticks
