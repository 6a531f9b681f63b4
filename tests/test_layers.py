"""The package's layering (docs/architecture.md) is a contract, checked here.

import-linter reads the contracts of ``pyproject.toml`` (``[tool.importlinter]``): the layers
(a layer imports only the layers below it; siblings separated by ``|`` import neither each
other) and no import cycle between the modules of any package. Its graph includes imports made
inside functions, so a cycle cannot hide behind one; the second test keeps such imports out of
the package altogether, except in the CLI (which defers the heavy layers for start-up time).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "oncocohort"


def test_import_contracts_are_kept(capsys):
    from importlinter.cli import lint_imports

    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True,
                        no_logo=True)
    report = capsys.readouterr().out
    assert code == 0, report
    assert "2 kept, 0 broken" in report


def _deferred_imports(path: Path) -> list[str]:
    """``oncocohort`` imports made inside a function or class body of ``path``: absolute
    (``from oncocohort.x import y``, ``import oncocohort.x``) or relative (``from .x import
    y``, ``from .. import x``), which are always of the package."""
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and (
                        inner.level > 0 or (inner.module or "").startswith("oncocohort")):
                    name = "." * inner.level + (inner.module or "")
                    found.append(f"{where}:{inner.lineno} {name}")
                elif isinstance(inner, ast.Import):
                    found += [f"{where}:{inner.lineno} {a.name}"
                              for a in inner.names if a.name.startswith("oncocohort")]
    return found


def test_no_deferred_imports_of_the_package():
    deferred = sorted({hit for path in PACKAGE.rglob("*.py") if path.name != "cli.py"
                       for hit in _deferred_imports(path)})
    assert deferred == []


@pytest.mark.parametrize("body", ["    from .cox_zph import compute_cox_zph\n",
                                  "    from .. import problems\n",
                                  "    from oncocohort.stats import cox\n",
                                  "    import oncocohort.stats.cox\n"])
def test_a_deferred_import_is_found(tmp_path, body):
    """Relative imports inside a function are the package's too: the check can fail."""
    module = tmp_path / "mod.py"
    module.write_text("import os\nfrom . import x\n\n\ndef f():\n" + body, encoding="utf-8")
    assert _deferred_imports(module) == ["mod.py:6 " + body.split()[1]]


@pytest.mark.parametrize("upward", ["from oncocohort.report.format import fmt_p\n",
                                    "from oncocohort.derive.dates import derive_named_dates\n"])
def test_the_contract_catches_an_upward_import(tmp_path, upward):
    """A copy of the package with one upward import (spec -> report, canon -> derive) breaks
    the layers contract: the check can fail."""
    import shutil
    import subprocess
    import sys

    src = tmp_path / "src"
    shutil.copytree(PACKAGE, src / "oncocohort",
                    ignore=shutil.ignore_patterns("__pycache__", "data"))
    target = src / "oncocohort" / ("spec/checks.py" if "report" in upward else "canon/codes.py")
    target.write_text(target.read_text(encoding="utf-8") + upward, encoding="utf-8")
    config = tmp_path / "pyproject.toml"
    config.write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
         f"sys.exit(lint_imports(config_filename={str(config)!r}, no_cache=True, "
         "no_logo=True))"],
        cwd=tmp_path, env={"PYTHONPATH": str(src), "PATH": ""}, capture_output=True,
        text=True)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "BROKEN" in run.stdout
