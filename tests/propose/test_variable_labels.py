"""SPSS and Stata variable labels as header evidence: a file with short variable names
(``startdt``, ``lastfu``, ``deathdt``) and labels ("Treatment start date", ...) is mapped by
its labels, while the spec names the real variables. The files are written here by
pyreadstat; the same data without labels is the control (the short names alone say nothing).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
import yaml
from rich.console import Console

from oncocohort.cli import ExitStatus, main
from oncocohort.propose import propose_workbook
from oncocohort.propose.messages import describe
from oncocohort.propose.read import variable_labels

pyreadstat = pytest.importorskip("pyreadstat")

LABELS = {"pid": "Patient ID", "startdt": "Treatment start date", "lastfu": "Last follow-up",
          "deathdt": "Date of death", "agey": "Age at start", "histol": "Histology",
          "mrk": "mrk"}  # a label equal to the name says nothing more
EXPECTED = {"pid": "subject_id", "startdt": "index_date", "lastfu": "last_alive_date",
            "deathdt": "death_date", "agey": "age"}


def _frame() -> pd.DataFrame:
    d = dt.date
    return pd.DataFrame({
        "pid": [f"S{i:02d}" for i in range(1, 9)],
        "startdt": [d(2022, m, 3) for m in range(1, 9)],
        "lastfu": [d(2023, m, 10) for m in range(1, 9)],
        "deathdt": [None, d(2023, 2, 10), None, d(2023, 4, 10), None, None, d(2023, 7, 10),
                    None],
        "agey": [61, 55, 70, 48, 66, 59, 73, 52],
        "histol": ["squamous", "adeno", "squamous", "squamous", "adeno", "squamous",
                   "squamous", "adeno"],
        "mrk": [1.5, 2.0, 0.5, 1.0, 3.5, 2.5, 1.0, 0.5],
    })


def _write(path: Path, labelled: bool) -> Path:
    writer = pyreadstat.write_sav if path.suffix == ".sav" else pyreadstat.write_dta
    writer(_frame(), str(path), column_labels=LABELS if labelled else None)
    return path


@pytest.mark.parametrize("suffix", [".sav", ".dta"])
def test_short_names_are_mapped_by_their_labels(tmp_path, suffix):
    path = _write(tmp_path / f"cohort{suffix}", labelled=True)
    labels = variable_labels(path, suffix.lstrip("."))
    assert labels == {k: v for k, v in LABELS.items() if k != "mrk"}
    proposal = propose_workbook(path)
    cols = {c.header: c for c in proposal.columns}
    assert {h: cols[h].role for h in EXPECTED} == EXPECTED
    for header in ("startdt", "lastfu", "deathdt"):
        assert cols[header].level == "sure"
        said = describe(cols[header].evidence[0])
        assert said == f"variable label '{LABELS[header]}' is a name for it"
        assert cols[header].variable_label == LABELS[header]
    assert cols["mrk"].variable_label is None
    # a covariate named by its label gets the conventional name and shows the label
    assert (cols["histol"].variable, cols["histol"].label) == ("histology", "Histology")
    assert (cols["mrk"].variable, cols["mrk"].label) == ("mrk", "mrk")


@pytest.mark.parametrize("suffix", [".sav", ".dta"])
def test_without_labels_the_short_names_say_nothing(tmp_path, suffix):
    path = _write(tmp_path / f"cohort{suffix}", labelled=False)
    assert variable_labels(path, suffix.lstrip(".")) == {}
    cols = {c.header: c for c in propose_workbook(path).columns}
    assert cols["startdt"].role != "index_date"
    assert cols["deathdt"].role != "death_date"


def test_init_writes_the_real_names_and_validate_reads_them(tmp_path):
    path = _write(tmp_path / "cohort.sav", labelled=True)
    spec = tmp_path / "study.yaml"
    buf = io.StringIO()
    code = main(["init", str(path), "--out", str(spec)],
                console=Console(file=buf, width=200, color_system=None))
    assert code == ExitStatus.OK, buf.getvalue()
    text = spec.read_text(encoding="utf-8")
    columns = yaml.safe_load(text)["sources"]["patients"]["columns"]
    assert {v: k for k, v in columns.items() if v in EXPECTED} == EXPECTED
    assert columns["histology"] == "histol"
    assert "variable label 'Treatment start date' is a name for it" in text
    assert 'label: "Histology"' in text or "label: Histology" in text
    buf = io.StringIO()
    code = main(["validate", str(spec)], console=Console(file=buf, width=200,
                                                         color_system=None))
    assert code == ExitStatus.OK, buf.getvalue()


def test_a_label_stating_the_codes_answers_them(tmp_path):
    """``sexcd`` holding 1/2 is a question by its name alone; its label "Sex (1=male,
    2=female)" names the role and answers the codes."""
    frame = _frame().assign(sexcd=[1, 2, 1, 1, 2, 1, 1, 2])
    path = tmp_path / "cohort.sav"
    pyreadstat.write_sav(frame, str(path),
                         column_labels={**LABELS, "sexcd": "Sex (1=male, 2=female)"})
    col = next(c for c in propose_workbook(path).columns if c.header == "sexcd")
    assert (col.role, col.code_map) == ("sex", {"1": "M", "2": "F"})
    assert "header_codes" in {n.code for n in col.evidence}
    pyreadstat.write_sav(frame, str(path), column_labels={**LABELS, "sexcd": "Sex"})
    col = next(c for c in propose_workbook(path).columns if c.header == "sexcd")
    assert col.role == "sex" and col.code_map == {"1": None, "2": None}
