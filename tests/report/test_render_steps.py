"""Figures built and rendered by :func:`render_figure_steps`: in forked workers (each figure
built where it is rendered, its caption sent first) or in this process, the same captions and
the same bytes, in the order of the steps; a worker's error is raised here, not waited for."""

from __future__ import annotations

import sys

import pytest

from oncocohort.report.figures._style import new_figure
from oncocohort.report.figures.render import render_figure_steps


def _build(i: int):
    fig = new_figure(2.0 + 0.1 * i, 1.5)
    ax = fig.add_axes((0.2, 0.2, 0.7, 0.7))
    ax.plot([0, 1, 2], [1, 0.5 + 0.1 * i, 0.2])
    ax.set_title(f"figure {i}")
    return f"caption {i}", fig


def _builds(n: int = 5):
    return [lambda i=i: _build(i) for i in range(n)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers: Linux")
def test_workers_and_this_process_give_the_same_captions_and_bytes():
    seen = []
    here = render_figure_steps(_builds(), formats=("png", "svg"), workers=1,
                               meanwhile=lambda captions: seen.append(captions()))
    forked = render_figure_steps(_builds(), formats=("png", "svg"), workers=2,
                                 meanwhile=lambda captions: seen.append(captions()))
    assert here[0] == forked[0] == [f"caption {i}" for i in range(5)]
    assert seen == [here[0], here[0]]  # meanwhile had every caption before the files
    assert [f["png"] for f in here[1]] == [f["png"] for f in forked[1]]
    assert [f["svg"] for f in here[1]] == [f["svg"] for f in forked[1]]
    assert len({f["png"] for f in forked[1]}) == 5  # five different figures, in order


def test_captions_need_not_be_asked_for():
    texts, files = render_figure_steps(_builds(3), formats=("svg",), workers=2)
    assert texts == ["caption 0", "caption 1", "caption 2"]
    assert [set(f) for f in files] == [{"svg"}] * 3


def _broken():
    raise ValueError("no such column")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_figure_that_cannot_be_built_raises_its_error(workers):
    builds = _builds(3)
    builds.insert(1, _broken)
    with pytest.raises(ValueError, match="no such column"):
        render_figure_steps(builds, formats=("svg",), workers=workers,
                            meanwhile=lambda captions: captions())


def test_a_worker_renders_the_figures_nobody_claimed_building_them_again():
    """The worker's share when every figure was taken by others and none is claimed (they
    are still busy): it builds each again and renders it, the same bytes as built once."""
    from oncocohort.report.figures import render

    builds = _builds(3)
    _, expected = render_figure_steps(builds, formats=("svg",), workers=1)
    ctx = render.multiprocessing.get_context("fork")
    counter, queue, claimed = ctx.Value("i", 3), ctx.SimpleQueue(), ctx.Array("b", 3)
    claimed[1] = 1  # one figure being rendered by its builder
    render._BUILDS[:], render._SHARED[:] = builds, [counter, queue, claimed]
    render._FORMATS[0] = ("svg",)
    try:
        files = render._build_and_render()
    finally:
        render._BUILDS.clear()
        render._SHARED.clear()
        queue.close()
    assert sorted(files) == [0, 2] and list(claimed) == [1, 1, 1]
    assert [files[0], files[2]] == [expected[0], expected[2]]
