"""A title row above the header and numeric codes: the hints, and the same study once set.

``lung_en.xlsx`` is the lung workbook of ``test_os_only`` as an English export types it: a
title and an empty row above the header (row 3), status and sex coded 1/2, day-first dates.
"""

from __future__ import annotations

import re

import pandas as pd

from _cohorts import read_ard


def _spec(cohort_dir, drop: str = "", replace: tuple[str, str] | None = None):
    text = (cohort_dir / "lung_en.yaml").read_text(encoding="utf-8")
    if drop:
        text = re.sub(drop, "", text)
    if replace:
        text = text.replace(*replace)
    path = cohort_dir / "edited.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_title_row_gets_a_header_row_hint(cohort_dir, run_cli):
    code, said = run_cli(["validate", str(_spec(cohort_dir, drop=r"    header_row: 3\n"))])
    assert code == 2
    hints = [line for line in said.splitlines() if "header_row" in line]
    assert len(hints) == 1 and "looks like row 3" in hints[0] and "set header_row: 3" in hints[0]
    # the columns not found in the title row are folded into the hint: one error, no warning
    # listing the title's text as an ignored column
    problems = [line.strip() for line in said.splitlines()
                if line.strip().startswith(("error", "warning"))]
    assert problems == [hints[0].strip()] and problems[0].startswith("error")
    assert "9 columns the spec names are not in the header read from row 1" in problems[0]


def test_unmapped_codes_are_reported_once_per_column_with_a_values_block(cohort_dir, run_cli):
    spec = _spec(cohort_dir, drop=r"    values:\n      vital_status: \{1: alive, 2: dead\}\n"
                                  r"      sex: \{1: M, 2: F\}\n")
    code, said = run_cli(["validate", str(spec)])
    assert code == 2
    errors = [line for line in said.splitlines() if line.strip().startswith("error")]
    assert len(errors) == 2, said
    sex = next(e for e in errors if "'Sex'" in e)
    assert "'1' (138 rows" in sex and "'2' (90 rows" in sex
    assert 'values: {sex: {"1": <M or F>, "2": <M or F>}}' in sex
    status = next(e for e in errors if "'Status'" in e)
    assert "'2' (165 rows" in status and "<alive or dead>" in status


def test_a_partial_value_map_of_a_covariate_is_a_warning(cohort_dir, run_cli):
    spec = _spec(cohort_dir, replace=("      sex: {1: M, 2: F}\n",
                                      "      sex: {1: M, 2: F}\n      ecog: {0: 0}\n"
                                      "      karnofsky: {100: 100, 90: 90}\n"))
    code, said = run_cli(["validate", str(spec)])
    assert code == 0, said
    warnings = [line for line in said.splitlines() if line.strip().startswith("warning")]
    assert len(warnings) == 1 and "values map of karnofsky leaves" in warnings[0]


def test_the_english_export_gives_the_numbers_of_the_chinese_one(cohort_dir, run_cli,
                                                                 lung_outputs):
    out = cohort_dir / "out"
    code, said = run_cli(["run", str(cohort_dir / "lung_en.yaml"), "--out", str(out)])
    assert code == 0, said
    assert "warning" not in said
    en, zh = read_ard(out), read_ard(lung_outputs[1])
    pd.testing.assert_frame_equal(en, zh)


def test_an_unmapped_status_column_is_a_warning_in_validate_and_run(cohort_dir, run_cli):
    # The status column left unmapped and no death date: every death would be invisible.
    spec = _spec(cohort_dir, drop=r"vital_status: Status, |      vital_status: \{1: alive.*\n")
    assert "Status" not in spec.read_text(encoding="utf-8")
    out = cohort_dir / "out"
    for argv in (["validate", str(spec)], ["run", str(spec), "--out", str(out)]):
        code, said = run_cli(argv)
        assert code == 0, said
        lines = [line for line in said.splitlines() if "looks like a vital status" in line]
        assert len(lines) == 1, said
        assert "column 'Status'" in lines[0] and "columns: {vital_status: 'Status'}" in lines[0]
    assert "column 'Status' looks like a vital status" in (out / "validation.txt").read_text(
        encoding="utf-8")


def test_a_csv_export_with_an_unpadded_title_row(cohort_dir, run_cli):
    # The same sheet saved as CSV by an export that writes its title line without trailing
    # commas: rows of different lengths, read like the worksheet.
    frame = pd.read_excel(cohort_dir / "lung_en.xlsx", header=None, dtype=str)
    title = frame.iloc[0, 0]
    body = frame.iloc[2:].to_csv(header=False, index=False, lineterminator="\n")
    (cohort_dir / "lung_en.csv").write_text(f"{title}\n\n{body}", encoding="utf-8")
    assert "," not in title
    spec = _spec(cohort_dir, replace=("file: lung_en.xlsx", "file: lung_en.csv"))
    code, said = run_cli(["validate", str(spec)])
    assert code == 0 and "warning" not in said and "No errors." in said, said
    assert re.search(r"patients\s+228\s+228", said)
    hinted = _spec(cohort_dir, drop=r"    header_row: 3\n",
                   replace=("file: lung_en.xlsx", "file: lung_en.csv"))
    code, said = run_cli(["validate", str(hinted)])
    assert code == 2 and "set header_row: 3" in said, said


def test_a_rule_meeting_a_missing_value_says_how_to_write_it(cohort_dir, run_cli):
    # Without "is not missing and", the weight-loss rule meets the patients with no weight loss.
    spec = _spec(cohort_dir, replace=('"wt_loss is not missing and wt_loss > 40"',
                                      '"wt_loss > 40"'))
    code, said = run_cli(["validate", str(spec)])
    assert code == 2, said
    errors = [line.strip() for line in said.splitlines() if line.strip().startswith("error")]
    sheet = pd.read_excel(cohort_dir / "lung_en.xlsx", header=2, dtype=str)
    unknown = sheet.loc[sheet["Weight loss (kg)"].isna(), "Patient No."].tolist()
    assert len(errors) == len(unknown) > 0, said  # one per patient without a weight loss
    for error, subject in zip(errors, unknown, strict=True):
        assert f"cohort.exclusion[0], subject {subject}:" in error
        assert "missing value in column 'wt_loss'" in error
    # how to write the rule: said once, with the first patient, not once per patient
    assert ("say what a missing wt_loss means: 'wt_loss is missing or ...' keeps such "
            "patients, 'wt_loss is not missing and ...' leaves them out (see "
            "docs/cohort-rules.md)" in errors[0])
    assert len(unknown) > 1 and not any("say what a missing" in e for e in errors[1:])
    code, ran = run_cli(["run", str(spec), "--out", str(cohort_dir / "out")])
    assert code == 2 and [line.strip() for line in ran.splitlines()
                          if line.strip().startswith("error")] == errors
