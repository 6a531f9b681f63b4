"""The CLI in-process: help, version, usage errors (exit codes, no tracebacks)."""

from __future__ import annotations

import io

from rich.console import Console

from oncocohort import __version__
from oncocohort.cli import ExitStatus, build_parser, main


def run(argv, capsys=None):
    buf = io.StringIO()
    code = main(argv, console=Console(file=buf, width=200, color_system=None))
    return code, buf.getvalue()


def test_help_lists_every_command(capsys):
    code, _ = run(["--help"])
    out = capsys.readouterr().out
    assert code == ExitStatus.OK
    for command in ("validate", "run", "demo", "simulate"):
        assert command in out
    assert "exit codes" in out


def test_version(capsys):
    code, _ = run(["--version"])
    assert code == 0
    assert __version__ in capsys.readouterr().out


def test_unknown_command_is_a_usage_error(capsys):
    code, _ = run(["frobnicate"])
    assert code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_run_requires_out():
    parser = build_parser()
    ns = parser.parse_args(["run", "s.yaml", "--out", "x"])
    assert ns.command == "run" and str(ns.out) == "x"
