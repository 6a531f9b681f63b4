"""The many-problems workbook: every planted problem found, in the right cell, and no other.

``tests/fixtures/many_problems/hospital.xlsx`` (written by ``make.py`` there) has five sheets
in a hospital's own column names; ``study.yaml`` maps them; ``expected.csv`` lists each
planted problem (severity, sheet, row, user column, code). The sheets are read here with
``pandas.read_excel(dtype=str)`` and the spec's ``columns``/``values`` applied by hand, the
minimum the sources layer does, so that this test depends on the model only.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from oncocohort.model.dataset import ValidationOptions, build_study_data
from oncocohort.sources.base import SourceTable

HERE = Path(__file__).parents[1] / "fixtures" / "many_problems"


def _load():
    spec = yaml.safe_load((HERE / "study.yaml").read_text(encoding="utf-8"))
    tables = {}
    for name, src in spec["sources"].items():
        raw = pd.read_excel(HERE / src["file"], sheet_name=src["sheet"], dtype=str)
        for canon, codes in src.get("values", {}).items():
            user = src["columns"][canon]
            raw[user] = raw[user].map(lambda v, codes=codes: codes.get(v, v))
        frame = raw.rename(columns={u: c for c, u in src["columns"].items()})
        tables[name] = [SourceTable(name, frame, src["file"], sheet=src["sheet"],
                                    rows=np.arange(2, 2 + len(frame)),
                                    columns=dict(src["columns"]))]
    options = ValidationOptions(
        data_cutoff=spec["study"]["data_cutoff"],
        partial_dates=spec["conventions"]["partial_dates"],
        ae_synonyms=spec["safety"]["synonyms"],
        ae_groups=spec["safety"]["groups"],
    )
    return tables, options


@pytest.fixture(scope="module")
def result():
    tables, options = _load()
    return build_study_data(tables, options)


def test_every_planted_problem_is_reported_and_nothing_else(result):
    _, problems = result
    expected = pd.read_csv(HERE / "expected.csv", dtype=str)
    want = Counter(tuple(r) for r in expected.itertuples(index=False))
    got = Counter((p.severity, p.sheet, str(p.row), p.column, p.code) for p in problems)
    assert got - want == Counter(), "reported but not planted"
    assert want - got == Counter(), "planted but not reported"


def test_problems_name_the_file_and_subject(result):
    _, problems = result
    assert {p.file for p in problems} == {"hospital.xlsx"}
    assert all(p.subject and p.subject.startswith("P") for p in problems)


def test_typed_tables_survive_the_problems(result):
    data, problems = result
    assert not problems.ok and len(problems.warnings) == 3
    # the duplicate P002 row is dropped; the other 11 patients are kept
    assert len(data.patients) == 11
    assert data.patients["ecog"].dtype == "Int64"
    assert data.patients["sex"].tolist().count("M") == 7  # 男 mapped to M, "X" emptied
    assert str(data.therapy["start_date"].iloc[4].date()) == "2024-06-15"  # text 2024/6/15
    summary = data.summary().set_index("table")
    assert summary.loc["adverse_events", "rows"] == 8
    assert summary.loc["patients", "subjects"] == 11
