"""Item 14: the CLI never shows a user a traceback.

An unexpected exception (a bug) exits 1 with one line saying so and naming a log file that
holds the traceback (printed too with ``--debug``); Ctrl-C exits 130 and leaves nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from adversarial._study import DEMO, run_cli
from oncocohort.study import run as study_run

SECRET = "ESCC-0042 died 1962-03-04"  # what an exception message may carry


@pytest.fixture
def crashing_run(monkeypatch, tmp_path):
    """``run_study`` fails with an unexpected error; log files go to ``tmp_path/logs``."""
    def boom(*args, **kwargs):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(study_run, "run_study", boom)
    logs = tmp_path / "logs"
    logs.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(logs))
    return logs


def test_a_bug_is_one_line_naming_a_log_file(crashing_run, tmp_path):
    outcome = run_cli(["run", DEMO / "study.yaml", "--out", tmp_path / "out"])
    assert outcome.code == 1
    assert "Traceback" not in outcome.output and SECRET not in outcome.output
    lines = [line for line in outcome.output.splitlines() if "internal error" in line]
    assert len(lines) == 1 and "This is a bug in oncocohort" in lines[0]
    (log,) = crashing_run.iterdir()
    assert str(log) in lines[0]
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and SECRET in text and "RuntimeError" in text
    assert log.stat().st_mode & 0o077 == 0  # the log may hold patient values: private
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_prints_the_traceback(crashing_run, tmp_path, where):
    argv = ["run", DEMO / "study.yaml", "--out", tmp_path / "out"]
    argv = ["--debug", *argv] if where == "before" else [*argv, "--debug"]
    outcome = run_cli(argv)
    assert outcome.code == 1
    assert "Traceback" in outcome.output and "RuntimeError" in outcome.output


def test_keyboard_interrupt_exits_130(monkeypatch, tmp_path):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(study_run, "run_study", interrupted)
    outcome = run_cli(["run", DEMO / "study.yaml", "--out", tmp_path / "out"])
    assert outcome.code == 130
    assert "interrupted" in outcome.output and "Traceback" not in outcome.output
    assert not (tmp_path / "out").exists()


def _entry_point(tmp_path: Path, code: str, *argv: str) -> subprocess.CompletedProcess:
    """The console-script entry point in a new interpreter, after running ``code``."""
    script = (f"import sys; sys.argv = ['oncocohort', *{list(argv)!r}]\n{code}\n"
              "from oncocohort.cli import run_main\nrun_main()\n")
    env = dict(os.environ, TMPDIR=str(tmp_path))
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, timeout=300)


def test_the_entry_point_shows_no_traceback_on_a_bug(tmp_path):
    patch = ("import oncocohort.study.run as p\n"
             f"def boom(*a, **k): raise ValueError({SECRET!r})\np.run_study = boom")
    done = _entry_point(tmp_path, patch, "run", str(DEMO / "study.yaml"), "--out",
                        str(tmp_path / "out"))
    assert done.returncode == 1
    both = done.stdout + done.stderr
    assert "Traceback" not in both and SECRET not in both and "bug" in both
    assert list(tmp_path.glob("oncocohort-error-*.log"))


def test_the_entry_point_shows_no_python_warning(tmp_path):
    patch = ("import warnings, oncocohort.study.run as p\nreal = p.run_study\n"
             "def noisy(*a, **k):\n    warnings.warn('overflow encountered', RuntimeWarning)\n"
             "    raise KeyboardInterrupt\np.run_study = noisy")
    done = _entry_point(tmp_path, patch, "run", str(DEMO / "study.yaml"), "--out",
                        str(tmp_path / "out"))
    assert done.returncode == 130
    assert "RuntimeWarning" not in done.stdout + done.stderr


def _interrupt_demo(tmp_path: Path, delay: float, signum: int) -> tuple[int, str]:
    """``oncocohort demo`` in its own process group, which gets ``signum`` after ``delay``
    seconds (figure workers included, as a terminal's Ctrl-C does); exit code and output."""
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "oncocohort", "demo", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    time.sleep(delay)
    os.killpg(proc.pid, signum)
    output, _ = proc.communicate(timeout=300)
    return proc.returncode, output


def _assert_nothing_left(tmp_path: Path, code: int, output: str, expected: int) -> None:
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    if code == 0:  # the run finished before the signal arrived
        assert (tmp_path / "out" / "report.html").is_file()
    else:
        assert code == expected, output
        assert "interrupted" in output or "terminated" in output
        assert "Outputs written" not in output
        assert list(tmp_path.iterdir()) == []  # no output, no temporary folder


@pytest.mark.parametrize("delay", [0.3, 1.5, 4.0, 6.0, 12.0])
def test_ctrl_c_on_the_process_group_exits_130_and_leaves_nothing(tmp_path, delay):
    """A terminal's Ctrl-C: SIGINT to the whole process group (figure workers included), at
    any moment: while Python starts, reads the data, analyses, renders, writes."""
    code, output = _interrupt_demo(tmp_path, delay, signal.SIGINT)
    _assert_nothing_left(tmp_path, code, output, 130)


@pytest.mark.parametrize("delay", [1.0, 5.0])
def test_sigterm_on_the_process_group_exits_143_and_leaves_nothing(tmp_path, delay):
    """A scheduler's time limit: SIGTERM, handled as Ctrl-C is, exit 128 + 15."""
    code, output = _interrupt_demo(tmp_path, delay, signal.SIGTERM)
    _assert_nothing_left(tmp_path, code, output, 143)


def test_an_interrupt_swallowed_on_its_way_up_still_writes_nothing(tmp_path, monkeypatch):
    """A library that catches the interruption (a bare ``except:``) does not get the run's
    outputs written: the signal was recorded, and the folder is not moved into place."""
    from oncocohort.write import interrupt
    from oncocohort.write.folder import atomic_output_dir

    monkeypatch.setattr(interrupt._STATE, "installed", True)
    monkeypatch.setattr(interrupt._STATE, "finished", False)
    monkeypatch.setattr(interrupt._STATE, "signum", signal.SIGINT)
    with pytest.raises(interrupt.Interrupted) as caught:
        with atomic_output_dir(tmp_path / "out") as tmp:
            (tmp / "report.html").write_text("half", encoding="utf-8")
    assert caught.value.exit_code == 130
    assert list(tmp_path.iterdir()) == []


def _session_processes(sid: int) -> list[int]:
    """The live processes of session ``sid`` (from /proc; zombies are not alive)."""
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat_file.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) "
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(int(stat_file.parent.name))
    return found


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _rendering(pid: int, out: Path) -> bool:
    """Whether run ``pid`` is writing into ``out`` while its figure workers draw: its first
    figure worker (forked before the study is loaded) has forked the others (once it has the
    analysis), and the run's temporary folder is there."""
    return (any(_children(worker) for worker in _children(pid))
            and any(out.parent.glob(f".{out.name}.tmp-*")))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="figure workers: Linux only")
def test_sigkill_leaves_no_worker_and_the_next_run_removes_its_temporary_folder(tmp_path):
    """``kill -9`` of the run while its figure workers render: the kernel ends the workers
    with it (no orphan), and the temporary folder it could not remove is removed by the next
    run into the same place (and only it: a look-alike folder of the user's stays)."""
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "oncocohort", "demo", "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 240
    while not _rendering(proc.pid, out) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _rendering(proc.pid, out), "the run ended before its figure workers started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 30
    while _session_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _session_processes(proc.pid) == []  # no worker outlived the run
    (stale,) = [p for p in tmp_path.iterdir() if p.name.startswith(".out.tmp-")]
    assert stale.stat().st_mode & 0o777 == 0o700  # private while it was being written
    lookalike = tmp_path / ".out.tmp-999999999-mine"  # no marker: the user's
    lookalike.mkdir()
    (lookalike / "notes.txt").write_text("mine", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "oncocohort", "demo", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [lookalike.name, "out"]
    assert (lookalike / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="figure workers: Linux only")
def test_sigterm_to_the_run_alone_stops_its_workers_and_leaves_nothing(tmp_path):
    """``kill PID`` (SIGTERM to the run only, not its process group) while its figure workers
    render: exit 143, no worker outlives the run, no output and no temporary folder."""
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "oncocohort", "demo", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 240
    while not _rendering(proc.pid, out) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _rendering(proc.pid, out), "the run ended before its figure workers started"
    os.kill(proc.pid, signal.SIGTERM)
    output, _ = proc.communicate(timeout=300)
    deadline = time.monotonic() + 30
    while _session_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _session_processes(proc.pid) == []  # no worker outlived the run
    assert proc.returncode == 143, output
    assert "terminated" in output and "Traceback" not in output, output
    assert list(tmp_path.iterdir()) == []


def test_the_entry_point_exits_after_the_exit_handlers_with_the_output_flushed(tmp_path):
    """The CLI ends without tearing the interpreter down, but after the exit handlers (the
    app's session folders are removed by one) and with everything printed."""
    bye = tmp_path / "handler-ran"
    patch = (f"import atexit, pathlib, sys\natexit.register(pathlib.Path({str(bye)!r})"
             ".write_text, 'yes')\nsys.stdout.write('unfinished line, no newline')")
    done = _entry_point(tmp_path, patch, "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("unfinished line, no newline") and "oncocohort" in done.stdout
    assert bye.read_text() == "yes"


def test_the_entry_point_runs_numpys_blas_on_one_thread(tmp_path, monkeypatch):
    """Unless the environment says otherwise (the numbers do not depend on the cores)."""
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    show = ("import atexit, os\natexit.register(lambda: print('BLAS threads', "
            "os.environ.get('OPENBLAS_NUM_THREADS')))")
    done = _entry_point(tmp_path, show, "--version")
    assert "BLAS threads 1" in done.stdout, done.stdout + done.stderr


def test_the_entry_point_waits_for_a_running_thread_as_python_does(tmp_path):
    """A thread that is not a daemon (a library's) finishes before the process ends."""
    done_file = tmp_path / "thread-finished"
    patch = ("import pathlib, threading, time\n"
             "def late():\n    time.sleep(0.5)\n"
             f"    pathlib.Path({str(done_file)!r}).write_text('yes')\n"
             "threading.Thread(target=late).start()")
    done = _entry_point(tmp_path, patch, "--version")
    assert done.returncode == 0, done.stderr
    assert done_file.read_text() == "yes"
