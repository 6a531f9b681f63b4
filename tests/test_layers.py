"""The package's layering (docs/architecture.md) is a contract, checked here.

import-linter reads the contracts of ``pyproject.toml`` (``[tool.importlinter]``): the layers
(a layer imports only the layers below it; siblings separated by ``|`` import neither each
other) and no import cycle between the modules of any package. Its graph includes imports made
inside functions, so a cycle cannot hide behind one; the second test keeps such imports out of
the package altogether, except in the CLI (which defers the heavy layers for start-up time) and
the figure workers (whose processes alone load matplotlib's drawing modules).
Third-party packages are imported at the top of their modules too, but for the few that only
some runs need, listed with the reason in ``DEFERRED``; a run imports no more than it uses
(the last test: ``scipy.stats``, ``openpyxl`` and the database drivers stay out of a plain run).
"""

from __future__ import annotations

import ast
import sys
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


# Third-party packages imported inside a function, where: each is heavy to import and needed
# only by some runs (a file format, the OMOP route, a progress bar), so importing it with its
# module would cost every run its start-up time. docs/architecture.md says the same.
DEFERRED = {
    "report/xlsx.py": {"openpyxl": "writing tables.xlsx (outputs.formats: xlsx); 0.1 s"},
    "sources/readers.py": {"openpyxl": "reading an xlsx source",
                           "pyreadstat": "reading SAS, SPSS and Stata files",
                           "pyarrow": "reading a Parquet source (and pyarrow.csv a plain "
                                      "CSV one)"},
    "propose/read.py": {"openpyxl": "reading a workbook whole (oncocohort init)",
                        "pyreadstat": "the variable labels of a SAS, SPSS or Stata file"},
    "sources/omop/cohort.py": {"ibis": "the OMOP route (database: in the spec)"},
    "sources/omop/concepts.py": {"ibis": "the OMOP route"},
    "sources/omop/connect.py": {"ibis": "the OMOP route", "pyspark": "a Spark CDM"},
    "sources/omop/episodes.py": {"ibis": "the OMOP route"},
    "sources/omop/extract.py": {"ibis": "the OMOP route"},
    "sources/omop/line_rules.py": {"ibis": "the OMOP route"},
    "sources/omop/lines.py": {"ibis": "the OMOP route"},
    "stats/propensity.py": {"scipy": "scipy.linalg (Cholesky) fitting a propensity model "
                                     "(comparisons:); 0.1-0.2 s"},
    "write/synthetic.py": {"rich": "the progress bar of oncocohort simulate",
                           "duckdb": "writing a synthetic OMOP database"},
}


def _deferred_third_party(path: Path) -> set[str]:
    """Top-level names of the third-party packages imported inside a function or class body
    of ``path`` (not the standard library's, not the package's)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import):
                    found |= {a.name.split(".")[0] for a in inner.names}
                elif isinstance(inner, ast.ImportFrom) and inner.level == 0:
                    found.add((inner.module or "").split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m != "oncocohort"}


def test_deferred_third_party_imports_are_the_listed_ones():
    found = {str(path.relative_to(PACKAGE)): mods for path in sorted(PACKAGE.rglob("*.py"))
             if path.name != "cli.py" and (mods := _deferred_third_party(path))}
    assert found == {where: set(mods) for where, mods in DEFERRED.items()}


def test_a_deferred_third_party_import_is_found(tmp_path):
    module = tmp_path / "mod.py"
    module.write_text("import os\nimport numpy\n\n\ndef f():\n    import json\n"
                      "    from openpyxl.styles import Font\n    import scipy.stats\n",
                      encoding="utf-8")
    assert _deferred_third_party(module) == {"openpyxl", "scipy"}


def test_a_run_imports_only_what_it_uses():
    """Running and writing a study (without xlsx) imports neither scipy.stats (the
    distributions come from scipy.special) nor scipy.linalg (until a propensity model is
    fitted) nor openpyxl nor a database driver."""
    import subprocess

    code = ("import sys; import oncocohort.cli, oncocohort.study.load, oncocohort.study.run, "
            "oncocohort.write.study; print(sorted(m for m in ('scipy.stats', 'scipy.linalg', "
            "'openpyxl', 'ibis', 'duckdb', 'pyreadstat', 'pyspark') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""}, check=True)
    assert run.stdout.strip() == "[]"


#: The modules that import the package's heavy modules inside functions: the CLI (the heavy
#: layers, for start-up time) and the figure workers (matplotlib's drawing modules, loaded by
#: the worker processes only: the process that writes the tables never loads them).
DEFERRING = {"cli.py", "report/figure_workers.py"}


def test_no_deferred_imports_of_the_package():
    deferred = sorted({hit for path in PACKAGE.rglob("*.py")
                       if str(path.relative_to(PACKAGE)) not in DEFERRING
                       for hit in _deferred_imports(path)})
    assert deferred == []
    deferring = {str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                 if _deferred_imports(path)}
    assert deferring == DEFERRING  # each exception still needs to be one


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
