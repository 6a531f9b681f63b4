"""One fixture per problem: exactly the planted problems are reported, where they are.

Each case folder of ``tests/fixtures/problems/`` changes one thing in a valid base study;
its ``expected.csv`` (typed by hand in ``make.py``) lists every problem the change must
cause, with severity, file, row (as a person sees it) and the user's column name.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from oncocohort.model.dataset import build_study_data

PROBLEMS = Path(__file__).parents[1] / "fixtures" / "problems"
CASES = sorted(p.name for p in PROBLEMS.iterdir() if (p / "expected.csv").exists())


def _as_rows(problems) -> Counter:
    return Counter((p.severity, p.file or "", "" if p.row is None else str(p.row),
                    p.column or "", p.code) for p in problems)


def test_base_study_is_clean(problem_case):
    tables, options, _ = problem_case("date_format_ok")
    data, problems = build_study_data(tables, options)
    assert list(problems) == []
    assert len(data.patients) == 3 and len(data.adverse_events) == 3


@pytest.mark.parametrize("case", CASES)
def test_fixture_reports_exactly_the_planted_problems(case, problem_case):
    tables, options, expected = problem_case(case)
    _, problems = build_study_data(tables, options)
    want = Counter(tuple(r) for r in expected[["severity", "file", "row", "column", "code"]]
                   .itertuples(index=False))
    assert _as_rows(problems) == want


@pytest.mark.parametrize("case", CASES)
def test_messages_quote_no_dates_or_numbers_of_patients(case, problem_case):
    tables, options, _ = problem_case(case)
    _, problems = build_study_data(tables, options)
    for p in problems:
        # "CTCAE v5.0" and the shape of a bad date ("99/99/9999") are not patient values
        text = re.sub(r"shaped like '[9A\W]*'", "", p.message.replace("CTCAE v5.0", "CTCAE"))
        assert not re.search(r"\d{4}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}|-?\d+\.\d+", text), p
        assert p.message and p.code


def test_row_level_problems_name_the_subject(problem_case):
    tables, options, _ = problem_case("death_before_index")
    _, problems = build_study_data(tables, options)
    assert {p.subject for p in problems} == {"S03"}


def test_invalid_date_message_gives_the_shape_not_the_value(problem_case):
    tables, options, _ = problem_case("invalid_date")
    _, problems = build_study_data(tables, options)
    (p,) = problems
    assert "99/99/9999" in p.message and "10/01/2024" not in p.message
    assert "YYYY-MM-DD" in p.message


def test_did_you_mean_for_codes_and_terms(problem_case):
    for case, hint in [("invalid_code_response", "'PR'"), ("unknown_ae_term", "'Hypertension'"),
                       ("unknown_ctcae_term", "'Palmar-plantar erythrodysesthesia syndrome'")]:
        tables, options, _ = problem_case(case)
        _, problems = build_study_data(tables, options)
        (p,) = problems
        assert f"did you mean {hint}" in p.message, p.message


def test_duplicate_subject_names_both_rows(problem_case):
    tables, options, _ = problem_case("duplicate_subject")
    _, problems = build_study_data(tables, options)
    (p,) = problems
    assert p.row == 5 and "row 2" in p.message


def test_imputed_partial_date_uses_the_rule_and_counts(problem_case):
    tables, options, _ = problem_case("partial_date_imputed")
    data, problems = build_study_data(tables, options)
    (p,) = problems
    assert p.message.startswith("1 partial date ") and "rows 2" in p.message
    # admiral "mid": 30 June when the month is missing
    assert str(data.patients.loc[0, "birth_date"].date()) == "1960-06-30"


def test_wide_long_conflict_keeps_the_long_value(problem_case):
    tables, options, _ = problem_case("wide_long_conflict_patients")
    data, _ = build_study_data(tables, options)
    assert data.patients.set_index("subject_id").loc["S01", "sex"] == "M"
    assert len(data.patients) == 3
