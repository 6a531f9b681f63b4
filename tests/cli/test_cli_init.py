"""`oncocohort init`: a workbook in, a commented study spec out; errors are messages."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import yaml
from rich.console import Console

from fixtures.workbooks import make as workbook_maker
from oncocohort.cli import ExitStatus, main

WORKBOOKS = Path(__file__).parents[1] / "fixtures" / "workbooks"
DEMO = Path(__file__).parents[2] / "src" / "oncocohort" / "data" / "demo" / "hospital.xlsx"


def run(argv):
    buf = io.StringIO()
    code = main([str(a) for a in argv], console=Console(file=buf, width=200,
                                                        color_system=None))
    return code, buf.getvalue()


def test_init_then_validate_a_clear_workbook(tmp_path):
    shutil.copy(WORKBOOKS / "clear.xlsx", tmp_path)
    out = tmp_path / "study.yaml"
    code, text = run(["init", tmp_path / "clear.xlsx", "--out", out])
    assert code == ExitStatus.OK, text
    assert "Patient ID" in text and "subject_id" in text and f"Written {out}" in text
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["sources"]["patients"]["file"] \
        == "clear.xlsx"
    code, text = run(["validate", out])
    assert code == ExitStatus.OK, text


def test_a_workbook_the_tests_have_never_seen(tmp_path):
    """Another seed, another size: the clear headers still map with no question."""
    paths = workbook_maker.make("clear", seed=20_250_705, n=57, out=tmp_path / "data")
    for kind in ("xlsx", "csv"):
        out = tmp_path / f"study-{kind}.yaml"
        code, text = run(["init", paths[kind], "--out", out])
        assert code == ExitStatus.OK, text
        spec = yaml.safe_load(out.read_text(encoding="utf-8"))
        assert spec["sources"]["patients"]["file"] == f"data/clear.{kind}"
        code, text = run(["validate", out])
        assert code == ExitStatus.OK, text


def test_messy_workbook_lists_questions_and_validate_stops_at_them(tmp_path):
    out = tmp_path / "study.yaml"
    code, text = run(["init", WORKBOOKS / "messy_zh.csv", "--out", out, "--lang", "zh"])
    assert code == ExitStatus.OK, text
    assert "个待定问题" in text and "哪个代表死亡" in text
    code, text = run(["validate", out])
    assert code == ExitStatus.INPUT
    errors = [line for line in text.splitlines() if line.strip().startswith("error")]
    assert errors and all("'TODO' is an open question of `oncocohort init`: what does code"
                          in line for line in errors)


def test_existing_spec_is_not_overwritten(tmp_path):
    out = tmp_path / "study.yaml"
    out.write_text("mine", encoding="utf-8")
    code, text = run(["init", WORKBOOKS / "clear.csv", "--out", out])
    assert code == ExitStatus.INPUT and "exists" in text
    assert out.read_text(encoding="utf-8") == "mine"
    code, _ = run(["init", WORKBOOKS / "clear.csv", "--out", out, "--force"])
    assert code == ExitStatus.OK and out.read_text(encoding="utf-8").startswith("# Study spec")


def test_unreadable_inputs_are_messages(tmp_path):
    out = tmp_path / "study.yaml"
    code, text = run(["init", tmp_path / "missing.xlsx", "--out", out])
    assert code == ExitStatus.INPUT and "file not found" in text
    code, text = run(["init", WORKBOOKS / "clear.xlsx", "--sheet", "AE", "--out", out])
    assert code == ExitStatus.INPUT and "'Patients'" in text
    (tmp_path / "bad.xlsx").write_bytes(b"not a workbook")
    code, text = run(["init", tmp_path / "bad.xlsx", "--out", out])
    assert code == ExitStatus.INPUT and "not a readable Excel workbook" in text
    assert "Traceback" not in text and not out.exists()


def test_demo_hospital_sheet(tmp_path):
    """The demo's bilingual wide sheet: AE grade columns and wide-layout columns found."""
    out = tmp_path / "study.yaml"
    code, text = run(["init", DEMO, "--sheet", "Patients", "--out", out])
    assert code == ExitStatus.OK, text
    wide = yaml.safe_load(out.read_text(encoding="utf-8"))["sources"]["wide"]
    assert wide["columns"]["subject_id"] == "ID 病历号"
    assert {wide["columns"][k] for k in ("index_date", "last_alive_date", "death_date",
                                         "eot_date", "eot_reason", "best_response",
                                         "progression_date")} == {
        "Start date", "Last contact", "Death date", "End of treatment", "EOT reason",
        "Best response", "PD date"}
    assert wide["ae_grades"]["Palmar-plantar erythrodysesthesia syndrome"] == \
        "Hand-foot syndrome grade"
    assert "gum bleeding" in wide["ae_grades"]  # not a CTCAE term: a TODO


def test_help_names_both_doors(capsys):
    code, _ = run(["--help"])
    out = capsys.readouterr().out
    assert code == ExitStatus.OK and "init" in out and "app" in out


def test_app_options_are_checked():
    code, text = run(["app", "--max-upload-mb", "0", "--no-browser"])
    assert code == ExitStatus.INPUT and "--max-upload-mb" in text


def test_init_on_a_sas_dataset(tmp_path):
    """The committed SAS dataset (CDISC names USUBJID, TRTSDT, AGE, SEX): mapped by name, and
    the two roles it lacks (last follow-up, who died) are its only questions."""
    shutil.copy(Path(__file__).parents[1] / "sources" / "fixtures" / "patients.sas7bdat",
                tmp_path)
    out = tmp_path / "study.yaml"
    code, text = run(["init", tmp_path / "patients.sas7bdat", "--out", out])
    assert code == ExitStatus.OK, text
    spec = yaml.safe_load(out.read_text(encoding="utf-8"))
    source = spec["sources"]["patients"]
    assert source["file"] == "patients.sas7bdat" and "sheet" not in source
    assert {k: v for k, v in source["columns"].items() if v != "TODO"} == {
        "subject_id": "USUBJID", "index_date": "TRTSDT", "age": "AGE", "sex": "SEX"}
    assert "2 open question(s)" in text and "last date known alive" in text
    assert "who died" in text
    assert source["columns"]["last_alive_date"] == source["columns"]["death_date"] == "TODO"
    code, said = run(["validate", out])  # the two questions, as questions, at their place
    errors = [line.strip() for line in said.splitlines() if line.strip().startswith("error")]
    assert code == ExitStatus.INPUT and len(errors) == 2, said
    assert "columns.last_alive_date: 'TODO' is an open question of `oncocohort init`: " \
        "which column of the file is patients.last_alive_date" in errors[0]
    assert "columns.death_date: 'TODO' is an open question" in errors[1]
    assert "vital_status" in errors[1] and "not in the file" not in said


def test_a_sheet_without_dates_asks_for_the_data_cutoff(tmp_path):
    """init writes ``data_cutoff: TODO`` when no cell is a date; validate says it is init's
    open question, at study.data_cutoff, with the others, not pydantic's "not a valid date"."""
    sheet = tmp_path / "nodates.csv"
    sheet.write_text("Patient ID,Age,Sex\nA1,61,M\nA2,57,F\nA3,70,M\n", encoding="utf-8")
    out = tmp_path / "study.yaml"
    code, text = run(["init", sheet, "--out", out])
    assert code == ExitStatus.OK, text
    assert "data_cutoff: TODO" in out.read_text(encoding="utf-8")
    code, said = run(["validate", out])
    errors = [line.strip() for line in said.splitlines() if line.strip().startswith("error")]
    assert code == ExitStatus.INPUT
    cutoff = [e for e in errors if "study.data_cutoff" in e]
    assert cutoff == [f"error   {out}, study.data_cutoff: 'TODO' is an open question of "
                      "`oncocohort init`: what is the study's data cut-off, the date up to "
                      "which the data were collected? Write it here as YYYY-MM-DD (e.g. "
                      "2024-12-31)"], said
    assert "valid date" not in said
    assert all("'TODO' is an open question of `oncocohort init`" in e for e in errors)
    assert len(errors) == 4  # the cut-off, the index date, the last follow-up, who died
