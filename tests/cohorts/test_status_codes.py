"""Vital status coded as hospitals type it: 1/2 (R's lung), 0/1, alive/dead, 生存/死亡.

The lung workbook's status column is 1 = alive, 2 = dead (``lung_en.yaml`` maps it). The same
sheet with the column recoded 0/1 (mapped ``{0: alive, 1: dead}``), or written as words with
no ``values`` map, must give the same patients: the same deaths, dated at the last contact.
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.study.load import load_study

STATUS_MAP = "      vital_status: {1: alive, 2: dead}\n"


def _patients(spec) -> pd.DataFrame:
    loaded = load_study(spec)
    assert loaded.problems.ok and not list(loaded.problems), list(loaded.problems)
    p = loaded.data.patients
    return p[["subject_id", "vital_status", "death_date", "last_alive_date"]].reset_index(
        drop=True)


@pytest.mark.parametrize(("codes", "values"), [
    ({"1": "0", "2": "1"}, "      vital_status: {0: alive, 1: dead}\n"),
    ({"1": "alive", "2": "dead"}, ""),
    ({"1": "Alive", "2": "DEAD"}, ""),
    ({"1": "生存", "2": "死亡"}, ""),
    ({"1": "存活", "2": "已故"}, ""),
])
def test_status_codes_give_the_same_deaths(cohort_dir, codes, values):
    text = (cohort_dir / "lung_en.yaml").read_text(encoding="utf-8")
    assert STATUS_MAP in text
    expected = _patients(cohort_dir / "lung_en.yaml")
    assert expected["vital_status"].value_counts().to_dict() == {"dead": 165, "alive": 63}
    frame = pd.read_excel(cohort_dir / "lung_en.xlsx", header=None, dtype=object)
    frame.iloc[3:, 2] = frame.iloc[3:, 2].astype(str).map(codes)
    assert frame.iloc[2, 2] == "Status" and frame.iloc[3:, 2].notna().all()
    frame.to_excel(cohort_dir / "recoded.xlsx", header=False, index=False)
    spec = cohort_dir / "recoded.yaml"
    spec.write_text(text.replace("file: lung_en.xlsx", "file: recoded.xlsx")
                    .replace(STATUS_MAP, values), encoding="utf-8")
    got = _patients(spec)
    pd.testing.assert_frame_equal(got, expected)
    dead = got["vital_status"] == "dead"
    assert (got.loc[dead, "death_date"] == got.loc[dead, "last_alive_date"]).all()
    assert got.loc[~dead, "death_date"].isna().all()


def test_numeric_status_codes_are_never_guessed(cohort_dir):
    # 0/1 without a values map: an error with the codes found, not a guess either way round
    text = (cohort_dir / "lung_en.yaml").read_text(encoding="utf-8")
    spec = cohort_dir / "unmapped.yaml"
    spec.write_text(text.replace(STATUS_MAP, ""), encoding="utf-8")
    problems = [p for p in load_study(spec).problems if p.severity == "error"]
    assert len(problems) == 1 and problems[0].column == "Status"
    assert "<alive or dead>" in problems[0].message
