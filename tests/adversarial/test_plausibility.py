"""Item 9: implausible numbers are problems, never an ``inf`` in the outputs.

Each numeric column of the data model has documented bounds (``docs/data-model.md``): a
target diameter of ``1e308`` mm once overflowed the sum of diameters to ``inf`` and turned the
visit's response into SD, and a dose of ``1e308`` made the dose intensity infinite with raw
numpy overflow warnings on the console.
"""

from __future__ import annotations

import csv
import math
import warnings
from pathlib import Path

import pytest

from adversarial._study import assert_user_error
from oncocohort.canon.schema import FREE_NUMBER_LIMIT, TABLES

CASES = [  # (file, column, value, message)
    ("lesions.csv", "diameter", "1e308", "`diameter` must be between 0 and 1,000 mm"),
    ("therapy.csv", "dose", "1e308", "`dose` must be between 0 and 100,000 mg"),
    ("therapy.csv", "planned_dose", "2e5", "`planned_dose` must be between 0 and 100,000 mg"),
    ("therapy.csv", "cycle", "100000", "`cycle` must be between 1 and 1,000"),
    ("therapy_lines.csv", "line", "1000", "`line` must be between 1 and 100"),
    ("patients.csv", "age", "1e308", "`age` must be between 0 and 120 years"),
    ("patients.csv", "prior_lines", "1e308", "`prior_lines` must be between -1e15 and 1e15"),
    ("patients.csv", "n_metastatic_sites", "-1e300",
     "`n_metastatic_sites` must be between -1e15 and 1e15"),
    ("therapy.csv", "dose", "1e309", "`dose` is not a number"),  # inf once parsed
]


@pytest.mark.parametrize("file, column, value, message", CASES,
                         ids=[f"{c[1]}={c[2]}" for c in CASES])
def test_an_implausible_number_is_a_located_problem(demo, tmp_path, file, column, value,
                                                    message):
    row = 2
    demo.set_cell(file, row, column, value)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy/pandas warning on the way
        validated = demo.validate()
        ran = demo.run(tmp_path / "out")
    for outcome in (validated, ran):
        assert_user_error(outcome, f"{file}, row {row}, column '{column}'", message)
        assert value not in outcome.output
    assert not (tmp_path / "out").exists()


def test_every_numeric_schema_column_is_bounded_on_both_sides():
    for t in TABLES.values():
        for c in t.columns:
            if c.type in ("int", "float"):
                assert c.minimum is not None and c.maximum is not None, (t.name, c.name)
    assert FREE_NUMBER_LIMIT == 1e15


def test_the_bounds_are_documented():
    docs = Path(__file__).parents[2] / "docs" / "data-model.md"
    text = docs.read_text(encoding="utf-8")
    assert "## Plausibility bounds" in text
    for needle in ("1900-01-01", "2100-12-31", "1e15", "0..1,000", "0..100,000"):
        assert needle in text, needle


def test_the_largest_plausible_values_run_without_inf_or_warnings(demo, tmp_path):
    """Every target lesion of one patient at the largest diameter, a dose at its bound."""
    rows = demo.rows("lesions.csv")
    i, s = rows[0].index("diameter"), rows[0].index("subject_id")
    for r in rows[1:]:
        if r[s] == "ESCC-0001" and r[i]:
            r[i] = "1000"
    demo.write_rows("lesions.csv", rows)
    demo.set_cell("therapy.csv", 2, "dose", "100000")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        outcome = demo.run(tmp_path / "out")
    assert outcome.code == 0, outcome.output
    for path in (tmp_path / "out").rglob("*.csv"):
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    try:
                        number = float(cell)
                    except ValueError:
                        continue
                    assert math.isfinite(number), (path.name, row)
