"""Figures listed, drawn and rendered by :class:`FigureWorkers`: in forked workers (the first
started before the job, each figure drawn where it is rendered, its caption sent first) or in
this process, the same names, captions and bytes, in the lister's order; a worker's error is
raised here with the worker's traceback, a worker that dies is noticed, and the process that
writes the report never loads matplotlib's drawing modules."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import subprocess
import sys
from types import MappingProxyType

import pytest

from oncocohort.report import figure_workers
from oncocohort.report.figure_workers import FigureWorkers

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers: Linux")


def _printed(code: str) -> str:
    """The last line ``code`` prints in a new interpreter (what it imports: its own)."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return done.stdout.splitlines()[-1]


def _draw(i: int):
    from oncocohort.report.figures._style import new_figure

    fig = new_figure(2.0 + 0.1 * i, 1.5)
    ax = fig.add_axes((0.2, 0.2, 0.7, 0.7))
    ax.plot([0, 1, 2], [1, 0.5 + 0.1 * i, 0.2])
    ax.set_title(f"figure {i}")
    return f"caption {i}", fig


def _broken():
    raise ValueError("no such column")


def _dies():
    os._exit(3)


def _lister(n: int, broken: str = ""):
    """``n`` figures (``broken``: the second raises, or ends its worker)."""
    builds = [(f"fig{i}", "single" if i % 2 else "double", lambda i=i: _draw(i))
              for i in range(n)]
    if broken:
        builds[1] = ("bad", "double", {"raises": _broken, "dies": _dies}[broken])
    return builds


def _run(workers: int, n: int = 5, formats=("png", "svg"), broken: str = ""):
    with FigureWorkers.started(_lister, workers=workers) as figures:
        figures.submit(n, broken, formats=formats)
        return figures.plan(), figures.captions(), figures.files()


@linux
def test_workers_and_this_process_give_the_same_names_captions_and_bytes():
    here = _run(1)
    forked = _run(2)
    assert here[0] == forked[0] == [(f"fig{i}", "single" if i % 2 else "double")
                                    for i in range(5)]
    assert here[1] == forked[1] == [f"caption {i}" for i in range(5)]
    assert [f["png"] for f in here[2]] == [f["png"] for f in forked[2]]
    assert [f["svg"] for f in here[2]] == [f["svg"] for f in forked[2]]
    assert len({f["png"] for f in forked[2]}) == 5  # five different figures, in order


@linux
def test_files_need_no_captions_first_and_one_figure_needs_one_worker():
    with FigureWorkers.started(_lister, workers=2) as figures:
        figures.submit(3, formats=("svg",))
        files = figures.files()
    assert [set(f) for f in files] == [{"svg"}] * 3
    assert _run(4, n=1, formats=("svg",))[1] == ["caption 0"]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_figure_that_cannot_be_drawn_raises_its_error_with_the_workers_traceback(workers):
    with pytest.raises(ValueError, match="no such column") as info:
        _run(workers, n=4, formats=("svg",), broken="raises")
    if workers > 1 and sys.platform.startswith("linux"):
        assert "_broken" in str(info.value.__cause__)  # where it happened, in the worker
    assert not multiprocessing.active_children()  # the workers are stopped


@linux
def test_a_worker_that_dies_is_noticed_not_waited_for():
    with pytest.raises(RuntimeError, match="ended before its figures were done"):
        _run(2, n=4, formats=("svg",), broken="dies")
    assert not multiprocessing.active_children()


@linux
def test_workers_given_no_job_end_with_the_block():
    """A run that stops before its figures (the input had errors) leaves no worker behind."""
    with FigureWorkers.started(_lister, workers=2):
        assert len(multiprocessing.active_children()) == 1  # the first worker, waiting
    assert not multiprocessing.active_children()


class _Out:
    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append(message)


def test_a_worker_renders_the_figures_nobody_claimed_drawing_them_again():
    """The worker's share when every figure was taken by others and none is claimed (they
    are still busy): it draws each again and renders it, the same bytes as drawn once."""
    builds = _lister(3)
    expected = _run(1, n=3, formats=("svg",))[2]
    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    counter, claimed = ctx.Value("i", 3), ctx.Array("b", 3)
    claimed[1] = 1  # one figure being rendered by its builder
    out = _Out()
    figure_workers._work(builds, (counter, claimed), ("svg",), out)
    assert out.sent[-1] == ("done",) and list(claimed) == [1, 1, 1]
    files = out.sent[-2][1]
    assert sorted(files) == [0, 2] and [files[0], files[2]] == [expected[0], expected[2]]


def test_the_job_pickles_with_its_read_only_mappings():
    job = {"labels": MappingProxyType({"sex": "Sex"}), "n": 3}
    back = pickle.loads(figure_workers._dumps(job))
    assert back == {"labels": {"sex": "Sex"}, "n": 3}
    assert isinstance(back["labels"], MappingProxyType)


@linux
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the figures are drawn here on one core")
def test_the_process_that_writes_the_report_never_loads_matplotlibs_drawing(tmp_path):
    code = (
        "import sys\n"
        "from oncocohort.cli import main\n"
        f"code = main(['demo', '--out', {str(tmp_path / 'out')!r}])\n"
        "drawing = sorted(m for m in sys.modules if m in ('matplotlib.figure', "
        "'matplotlib.pyplot', 'oncocohort.report.figure_steps') or "
        "m.startswith('oncocohort.report.figures.') and m.rsplit('.', 1)[1] "
        "not in ('sizes', 'svgtext'))\n"
        "print(code, drawing)\n")
    assert _printed(code) == "0 []"
    assert (tmp_path / "out" / "figures" / "km_os.png").is_file()


def test_what_the_cli_imports_before_the_figures_are_submitted_is_light():
    """The CLI gives the workers their job before it imports the report's renderers
    (``write.figure_job`` before ``write.study``): what it has imported by then holds neither
    python-docx nor matplotlib beyond its base (nor the figure modules)."""
    code = ("import sys\n"
            "import oncocohort.cli, oncocohort.study.load, oncocohort.study.run\n"
            "import oncocohort.write.figure_job, oncocohort.write.ownership\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('docx', 'lxml', "
            "'matplotlib') or m.startswith('oncocohort.report.') and m not in ("
            "'oncocohort.report.figure_workers', 'oncocohort.report.figures.sizes', "
            "'oncocohort.report.format', 'oncocohort.report.options', "
            "'oncocohort.report.prose')))\n")
    assert _printed(code) == "['oncocohort.report.figures']"  # the namespace package


@linux
def test_submit_does_not_wait_for_the_first_worker_to_start(tmp_path, monkeypatch):
    """The job (larger than a pipe holds) is handed over while the first worker is still
    importing its lister: here the import waits for a file this test writes only after
    ``submit`` returned (a ``submit`` that waited would leave the worker to give up)."""
    gate = tmp_path / "gate"
    (tmp_path / "slow_lister.py").write_text(
        "import os, time\n"
        f"deadline = time.monotonic() + 60\n"
        f"while not os.path.exists({str(gate)!r}) and time.monotonic() < deadline:\n"
        "    time.sleep(0.01)\n"
        f"OPENED = os.path.exists({str(gate)!r})\n"
        "def lister(blob):\n"
        "    if not OPENED:\n"
        "        raise RuntimeError('submit waited for the worker to start')\n"
        "    from test_render_steps_draw import draw\n"
        "    return [('only', 'double', lambda: draw(len(blob) % 7))]\n", encoding="utf-8")
    (tmp_path / "test_render_steps_draw.py").write_text(
        "def draw(i):\n"
        "    from oncocohort.report.figures._style import new_figure\n"
        "    fig = new_figure(2.0, 1.5)\n"
        "    fig.add_axes((0.2, 0.2, 0.7, 0.7)).plot([0, 1], [i, 1])\n"
        "    return f'caption {i}', fig\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with FigureWorkers.started("slow_lister:lister", workers=2) as figures:
        figures.submit(b"x" * 1_000_003, formats=("svg",))
        gate.touch()
        assert figures.captions() == ["caption 4"]  # 1,000,003 % 7


def test_the_figure_modules_never_import_pyplot():
    """The figure workers start faster without pyplot (its global figure registry is not
    needed: the report's figures are made outside it)."""
    code = ("import sys\nimport oncocohort.report.figure_steps, oncocohort.report.figures.render\n"
            "print('matplotlib.pyplot' in sys.modules)\n")
    assert _printed(code) == "False"


@linux
def test_the_pipes_are_closed_when_the_block_ends():
    """A long-lived process (the app's) keeps no pipe of finished figure workers open."""
    with FigureWorkers.started(_lister, workers=2) as figures:
        figures.submit(3, formats=("svg",))
        figures.files()
    assert figures._readers and all(r.closed for r in figures._readers)
    with FigureWorkers.started(_lister, workers=2) as idle:
        pass  # no job: the first worker stopped
    assert all(r.closed for r in idle._readers)
