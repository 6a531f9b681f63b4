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
