"""`oncocohort validate` and `run` on bad input: every planted problem listed, exit 2,
nothing written."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

from rich.console import Console

from oncocohort.cli import ExitStatus, main

ROOT = Path(__file__).parents[2]
MANY = ROOT / "tests" / "fixtures" / "many_problems"
GOOD = ROOT / "tests" / "spec" / "fixtures" / "study.yaml"

LINE = re.compile(
    r"^\s+(?P<severity>error|warning)\s+hospital\.xlsx, sheet '(?P<sheet>[^']+)', "
    r"row (?P<row>\d+), column '(?P<column>[^']+)'"
)


def run(argv: list[str]) -> tuple[int, str]:
    buf = io.StringIO()
    code = main(argv, console=Console(file=buf, width=400, color_system=None))
    return code, buf.getvalue()


def _listed(output: str) -> set[tuple[str, str, str, str]]:
    found = set()
    for line in output.splitlines():
        m = LINE.match(line)
        if m:
            found.add((m["severity"], m["sheet"], m["row"], m["column"]))
    return found


def _expected() -> set[tuple[str, str, str, str]]:
    with open(MANY / "expected.csv", encoding="utf-8") as fh:
        return {(r["severity"], r["sheet"], r["row"], r["column"]) for r in csv.DictReader(fh)}


def test_validate_lists_every_planted_problem_and_exits_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out = run(["validate", str(MANY / "study.yaml")])
    assert code == ExitStatus.INPUT
    assert _listed(out) == _expected()
    assert "Traceback" not in out
    assert list(tmp_path.iterdir()) == []  # validate writes nothing


def test_run_on_bad_input_writes_nothing(tmp_path):
    out_dir = tmp_path / "out"
    code, out = run(["run", str(MANY / "study.yaml"), "--out", str(out_dir)])
    assert code == ExitStatus.INPUT
    assert "nothing was run or written" in out
    assert not out_dir.exists()
    assert [p for p in tmp_path.iterdir()] == []  # no temporary folder left behind


def test_validate_good_study_exits_0():
    code, out = run(["validate", str(GOOD)])
    assert code == ExitStatus.OK, out
    assert "No errors." in out
    assert "patients" in out  # the table summary


def test_spec_error_names_yaml_path_without_traceback(tmp_path):
    bad = tmp_path / "study.yaml"
    text = GOOD.read_text(encoding="utf-8").replace("km_conf_type: log-log", "km_conf_type: loglog")
    bad.write_text(text, encoding="utf-8")
    shutil.copytree(GOOD.parent / "data", tmp_path / "data")
    code, out = run(["validate", str(bad)])
    assert code == ExitStatus.INPUT
    assert "conventions.km_conf_type" in out
    assert "Traceback" not in out


def test_missing_spec_file(tmp_path):
    code, out = run(["validate", str(tmp_path / "nope.yaml")])
    assert code == ExitStatus.INPUT
    assert "nope.yaml" in out


def test_unknown_baseline_variable_and_unevaluable_rule(tmp_path):
    text = GOOD.read_text(encoding="utf-8")
    text = text.replace("landmarks:", "baseline: [age, smoking_pack_years]\nlandmarks:", 1)
    text = text.replace('rule: "ecog <= 2"', 'rule: "ecog <= 2 and no_such_column"')
    bad = tmp_path / "study.yaml"
    bad.write_text(text, encoding="utf-8")
    shutil.copytree(GOOD.parent / "data", tmp_path / "data")
    code, out = run(["validate", str(bad)])
    assert code == ExitStatus.INPUT
    assert "cohort.inclusion[1]" in out and "no_such_column" in out
    assert "Traceback" not in out
    text = text.replace("ecog <= 2 and no_such_column", "ecog <= 2")
    bad.write_text(text, encoding="utf-8")
    code, out = run(["validate", str(bad)])
    assert code == ExitStatus.INPUT
    assert "baseline[1]" in out and "smoking_pack_years" in out


def test_validate_prints_attrition():
    code, out = run(["validate", str(GOOD)])
    assert code == ExitStatus.OK
    assert "Cohort selection" in out and "n_remaining" in out
