"""The PNG files are written by report.figures.render.encode_png: the pixels, size and
resolution matplotlib's own PNG writer (Pillow) gives, byte-stable."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from oncocohort.report.figures._style import RC, new_figure
from oncocohort.report.figures.render import _tight_bbox, encode_png, render_figure


def _figure():
    fig = new_figure(3.2, 2.1)
    ax = fig.add_axes((0.15, 0.2, 0.8, 0.7))
    ax.step([0, 1, 2, 3], [1, 0.8, 0.55, 0.4], where="post", color="#0072B2")
    ax.fill_between([0, 1, 2], [0.9, 0.7, 0.5], [1, 0.9, 0.6], alpha=0.3, hatch="//")
    ax.bar([1.5], [0.3], color="#D55E00", edgecolor="black")
    ax.set_xlabel("Months since the start of treatment")
    ax.text(2.9, 0.95, "HR 0.61 (95% CI 0.38–0.97)", ha="right", fontsize=7)
    return fig


def test_the_png_has_matplotlibs_pixels():
    fig = _figure()
    with mpl.rc_context(RC):
        bbox = _tight_bbox(fig)
        FigureCanvasAgg(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=300, bbox_inches=bbox, metadata={"Software": None})
    theirs = Image.open(buf)
    ours = Image.open(io.BytesIO(render_figure(fig, ("png",))["png"]))
    assert (ours.size, ours.mode) == (theirs.size, theirs.mode)
    assert ours.info["dpi"] == theirs.info["dpi"]
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
    assert render_figure(_figure(), ("png",))["png"] == render_figure(_figure(), ("png",))["png"]


def test_encode_png_round_trips_any_pixels():
    rgba = np.random.default_rng(3).integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    img = Image.open(io.BytesIO(encode_png(rgba, 150)))
    np.testing.assert_array_equal(np.asarray(img), rgba)
    assert round(img.info["dpi"][0]) == 150
    with pytest.raises(ValueError, match="x 4 bytes"):
        encode_png(rgba[..., :3].copy(), 300)


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("example", ["escc-anlotinib-pd1", "escc-competing-risks",
                                     "escc-comparisons", "lung-os"])
def test_the_box_needs_no_drawing_pass(example):
    """The files' bounding box is measured without the drawing pass ``savefig`` makes first:
    on every figure of the examples it is the box measured after that pass."""
    from oncocohort.report.figure_steps import build_report_figures
    from oncocohort.study.load import load_study
    from oncocohort.study.run import run_study

    results = run_study(load_study(EXAMPLES / example / "study.yaml"))
    figures = build_report_figures(results.analysis, results.options.report)
    assert len(figures) >= 3
    with mpl.rc_context(RC):
        for f in figures:
            measured = _tight_bbox(f.figure)
            f.figure.draw_without_rendering()
            drawn = f.figure.get_tightbbox(f.figure.canvas.get_renderer()).padded(0.1)
            assert measured.bounds == drawn.bounds, f.name


def test_a_warmed_up_process_renders_the_same_bytes(tmp_path):
    """The first figure worker's warm-up (caches filled by a throwaway figure) changes no
    byte of the figures drawn after it: the same fixture figure, rendered in a fresh process
    with and without it."""
    import subprocess
    import sys

    code = ("import sys, hashlib\n"
            "sys.path.insert(0, {tests!r})\n"
            "from oncocohort.report.figures.render import render_figure, warm_up\n"
            "if sys.argv[1] == 'warm':\n    warm_up()\n"
            "import _study_fixture as f\n"
            "from oncocohort.report.figure_steps import report_figure_builds\n"
            "builds = report_figure_builds(f.make_analysis(), f.make_options().report)\n"
            "files = [render_figure(b()[1], ('png', 'svg')) for _, _, b in builds[:3]]\n"
            "print(hashlib.sha256(b''.join(x['png'] + x['svg'] for x in files)).hexdigest())\n"
            ).format(tests=str(Path(__file__).parents[1]))
    digests = [subprocess.run([sys.executable, "-c", code, how], capture_output=True,
                              text=True, check=True).stdout.strip() for how in ("cold", "warm")]
    assert digests[0] == digests[1] and len(digests[0]) == 64


def test_render_cost_counts_the_texts_a_figure_places():
    """The workers render the costliest figures first; a figure's cost grows with its texts
    (axes texts, figure texts, tick labels), the bulk of rendering."""
    from oncocohort.report.figures.render import render_cost

    def figure(texts: int):
        fig = new_figure(2.0, 1.5)
        ax = fig.add_axes((0.2, 0.2, 0.7, 0.7))
        ax.set_xticks([0, 1])
        ax.set_yticks([0, 1])
        for i in range(texts):
            ax.text(0.5, i / max(texts, 1), f"t{i}")
        return fig

    assert render_cost(figure(0)) > 0  # the tick labels
    assert render_cost(figure(0)) < render_cost(figure(3)) < render_cost(figure(30))


@pytest.mark.parametrize("which", ["font lookups", "text sizes"])
def test_remembered_font_work_gives_the_same_files(analysis, report_options, which):
    """The fixture study's figures drawn and rendered with matplotlib's font lookups, or its
    text measures (Agg's counted here, the SVG renderer's too), remembered across figures and
    renderers are the same bytes as without; each is computed once per distinct argument,
    and matplotlib's own method is back after the block."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontManager

    from oncocohort.report.figure_steps import report_figure_builds
    from oncocohort.report.figures import render

    cls, name, remembered_by = {
        "font lookups": (FontManager, "_find_fonts_by_props", render.remembered_font_lookups),
        "text sizes": (RendererAgg, "get_text_width_height_descent",
                       render.remembered_text_sizes)}[which]
    builds = report_figure_builds(analysis, report_options)[:4]
    plain = [render.render_figure(build()[1], ("png", "svg")) for _, _, build in builds]
    original = getattr(cls, name)
    computed = []

    def counting(self, *args, **kwargs):
        computed.append((tuple(hash(a) for a in args), tuple(sorted(kwargs.items())),
                         getattr(self, "dpi", None)))
        return original(self, *args, **kwargs)

    setattr(cls, name, counting)
    try:
        with remembered_by():
            remembered = [render.render_figure(build()[1], ("png", "svg"))
                          for _, _, build in builds]
        after = getattr(cls, name)
    finally:
        setattr(cls, name, original)
    assert remembered == plain
    assert after is counting  # restored
    assert 0 < len(computed) == len(set(computed))  # each computed once
