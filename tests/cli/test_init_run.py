"""The front door end to end: ``init`` then ``run``, on workbooks made for the test.

Issue 15's promise: a workbook the tests have never seen, with clear headers (Patient ID,
Treatment start date, Date of death, Last follow-up, Age, Sex, ECOG), goes through ``init``
and ``run`` to a full report with no edit; a messier one (Chinese headers, codes 1/2, a title
row) needs only the answers to the TODOs ``init`` wrote. The workbooks come from the generators
of ``tests/fixtures/workbooks/make.py`` with seeds and sizes used nowhere else, and no direct
identifier of them (names, phone and ID numbers, addresses) may reach any output file.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from rich.console import Console

from fixtures.workbooks import make as workbook_maker
from oncocohort.cli import ExitStatus, main


def run(argv):
    buf = io.StringIO()
    code = main([str(a) for a in argv], console=Console(file=buf, width=200,
                                                        color_system=None))
    return code, buf.getvalue()


def _output_texts(out: Path) -> str:
    """Every text the outputs hold: text files, and the XML inside the Word report."""
    parts = []
    for path in sorted(out.rglob("*")):
        if path.suffix in (".csv", ".txt", ".html", ".json", ".svg"):
            parts.append(path.read_text(encoding="utf-8"))
        elif path.suffix == ".docx":
            with zipfile.ZipFile(path) as z:
                parts += [z.read(n).decode("utf-8") for n in z.namelist()
                          if n.endswith(".xml")]
    return "\n".join(parts)


def _identifiers(path: Path, columns: list[str], header_row: int = 1) -> set[str]:
    frame = pd.read_excel(path, header=header_row - 1, dtype=str)
    return {v for c in columns for v in frame[c].dropna()}


def _full_report(out: Path, endpoints: tuple[str, ...]) -> None:
    tables = {p.stem for p in (out / "tables").iterdir()}
    assert {"baseline", "survival"} | {f"subgroups_{e}" for e in endpoints} <= tables
    figures = {p.stem for p in (out / "figures").iterdir()}
    assert {"flowchart"} | {f"km_{e}" for e in endpoints} | {f"forest_{e}" for e in
                                                            endpoints} <= figures
    assert (out / "report.html").stat().st_size > 0 and (out / "report.docx").exists()
    ard = pd.read_csv(out / "results" / "ard.csv")
    for e in endpoints:
        events = ard[(ard["analysis"] == "survival") & (ard["endpoint"] == e)
                     & (ard["variable"] == "events")]
        assert len(events) == 1 and events["value"].iloc[0] > 0


def test_clear_workbook_never_seen_runs_with_no_edit(tmp_path):
    paths = workbook_maker.make("clear", seed=31_415, n=83, out=tmp_path / "data")
    spec = tmp_path / "study.yaml"
    code, text = run(["init", paths["xlsx"], "--out", spec])
    assert code == ExitStatus.OK, text
    assert "TODO" not in spec.read_text(encoding="utf-8").split("\nstudy:")[1]
    code, said = run(["validate", spec])
    assert code == ExitStatus.OK and "warning" not in said, said
    out = tmp_path / "results"
    code, text = run(["run", spec, "--out", out])
    assert code == ExitStatus.OK, text
    _full_report(out, ("os",))
    assert (out / "validation.txt").read_text(encoding="utf-8").strip() in ("", "No problems.")
    assert "Name" not in pd.read_csv(out / "datasets" / "patients.csv").columns
    texts = _output_texts(out)
    leaked = [v for v in _identifiers(paths["xlsx"], ["Name"]) if v in texts]
    assert leaked == []


def _answer_todos(text: str) -> str:
    """Answer exactly the TODOs init wrote, as the person who knows the codes would: in the
    messy workbooks sex is 1 = male, 2 = female and the vital status 1 = alive, 2 = dead."""
    answers = {
        'sex: {"1": "TODO", "2": "TODO"}': 'sex: {"1": M, "2": F}',
        'vital_status: {"1": "TODO", "2": "TODO"}': 'vital_status: {"1": alive, "2": dead}',
    }
    body = text
    for question, answer in answers.items():
        assert body.count(question) == 1, question
        body = body.replace(question, answer)
    assert not re.search(r'^[^#]*"TODO"', body, flags=re.M), "a TODO left unanswered"
    return body


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_messy_workbook_needs_only_its_todos(tmp_path, kind):
    paths = workbook_maker.make("messy_zh", seed=27_182, n=77, out=tmp_path / "data")
    spec = tmp_path / "study.yaml"
    code, text = run(["init", paths[kind], "--out", spec, "--lang", "zh"])
    assert code == ExitStatus.OK, text
    written = spec.read_text(encoding="utf-8")
    code, said = run(["validate", spec])
    errors = [line for line in said.splitlines() if line.strip().startswith("error")]
    assert code == ExitStatus.INPUT and len(errors) == 4
    assert all("'TODO'" in line for line in errors)
    wide = yaml.safe_load(written)["sources"]["wide"]
    assert wide["header_row"] == 2
    assert {"姓名", "身份证号", "联系电话", "家庭住址", "备注"} <= set(wide["ignore_columns"])
    spec.write_text(_answer_todos(written), encoding="utf-8")
    code, said = run(["validate", spec])
    assert code == ExitStatus.OK, said
    out = tmp_path / "results"
    code, text = run(["run", spec, "--out", out])
    assert code == ExitStatus.OK, text
    _full_report(out, ("os", "pfs"))
    tte = pd.read_csv(out / "datasets" / "tte.csv")
    os_ = tte[tte["paramcd"] == "os"]
    assert len(os_) == 77 and 0 < os_["event"].sum() < 77  # deaths from the status codes
    columns = set(pd.read_csv(out / "datasets" / "patients.csv").columns)
    assert not columns & {"姓名", "身份证号", "联系电话", "家庭住址", "备注", "不良反应"}
    ids = _identifiers(paths["xlsx"], ["姓名", "身份证号", "联系电话", "家庭住址"],
                       header_row=2)
    texts = _output_texts(out)
    assert [v for v in ids if v in texts] == []
    # 最佳疗效 (完全缓解, 部分缓解, ...) is the response section, taken as recorded
    table = pd.read_csv(out / "tables" / "response.csv", keep_default_na=False)
    cells = pd.read_excel(paths["xlsx"], header=1, dtype=str)["最佳疗效"]
    responders = int(cells.isin(["完全缓解", "部分缓解"]).sum())
    orr = table.loc[table["Response"].str.startswith("Objective response rate"), "n (%)"]
    assert orr.iloc[0].startswith(f"{responders} (")
    assert any("as recorded by the investigators" in r for r in table["Response"])
