"""docs/first-study.md works exactly as written: its commands are run in order, its spec
files written as shown, every output line it shows must be in the command's output, and every
error or warning the command prints must be among the lines it shows."""

from __future__ import annotations

import io
import re
import shlex
import shutil
from pathlib import Path

from rich.console import Console

from oncocohort.cli import main

ROOT = Path(__file__).parents[2]
DOC = ROOT / "docs" / "first-study.md"
BLOCK = re.compile(r"```(yaml|console)\n(.*?)```", re.S)


def _steps(text: str):
    """(kind, payload) in document order: ("file", (path, text)) and ("run", (command,
    expected lines))."""
    for kind, body in BLOCK.findall(text):
        if kind == "yaml":
            first, _, rest = body.partition("\n")
            if first.startswith("# ") and first.endswith(".yaml"):
                yield "file", (first[2:].strip(), body)
            continue
        command, expected = None, []
        for line in body.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    yield "run", (command, expected)
                command, expected = line[2:], []
            elif line.strip():
                expected.append(line)
        if command is not None:
            yield "run", (command, expected)


def _run(command: str, where: Path) -> tuple[int, str]:
    argv = shlex.split(command)
    if argv[0] == "mkdir":
        (where / argv[1]).mkdir()
        return 0, ""
    if argv[0] == "cp":
        shutil.copy(where / argv[1], where / argv[2])
        return 0, ""
    if argv[0] == "cat":
        return 0, (where / argv[1]).read_text(encoding="utf-8")
    assert argv[0] == "oncocohort", command
    buf = io.StringIO()
    args = [a if a.startswith("-") or a in ("validate", "run") else str(where / a)
            for a in argv[1:]]
    code = main(args, console=Console(file=buf, width=1000, color_system=None))
    return code, buf.getvalue()


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_walkthrough_runs_as_written(tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    steps = list(_steps(DOC.read_text(encoding="utf-8")))
    assert sum(kind == "run" for kind, _ in steps) >= 6
    for kind, payload in steps:
        if kind == "file":
            path, text = payload
            (tmp_path / path).write_text(text, encoding="utf-8")
            continue
        command, expected = payload
        code, out = _run(command, tmp_path)
        failed = any(line.startswith("error") for line in expected)
        assert code == (2 if failed else 0), (command, out)
        for line in expected:
            assert _flat(line) in _flat(out), (command, line, out)
        shown = {_flat(line) for line in expected}
        said = [_flat(line) for line in out.splitlines()
                if line.strip().startswith(("error", "warning"))]
        assert [line for line in said if line not in shown] == [], (command, out)
    assert (tmp_path / "my-study" / "results" / "report.html").is_file()


def _body(text: str) -> str:
    """A spec without its leading comment lines."""
    lines = text.splitlines(keepends=True)
    return "".join(lines[next(i for i, line in enumerate(lines)
                              if not line.startswith("#")):])


def test_the_final_spec_is_the_example():
    """The walkthrough's last spec is the example study, but for the comment at the top (the
    example itself is run and checked against R: tests/cli/test_example_spec.py)."""
    files = [p for kind, p in _steps(DOC.read_text(encoding="utf-8")) if kind == "file"]
    final = files[-1][1]
    example = (ROOT / "examples" / "lung-os" / "study.yaml").read_text(encoding="utf-8")
    assert _body(final) == _body(example)
