"""Column content: date formats and their ambiguity, numbers, codes, identifiers."""

from __future__ import annotations

import datetime as dt

import pytest

from oncocohort.propose.content import profile_column


@pytest.mark.parametrize(("cells", "style", "fmt"), [
    (["2023-05-03", "2024-01-31", None], "native_or_iso", None),
    (["2023/5/3", "2024/1/31"], "year_first", None),
    (["2023.05.03", "2024.01.31"], "year_first", None),
    (["25/03/2022", "03/04/2022"], "day_first", "%d/%m/%Y"),
    (["03/25/2022", "04/03/2022"], "month_first", "%m/%d/%Y"),
    (["03/05/2023", "04/06/2023"], "ambiguous", None),
    (["25/03/2022", "03/25/2022"], "mixed", None),
    (["25.03.2022", "01.04.2022"], "day_first", "%d.%m.%Y"),
    (["2023年5月3日", "2024年1月31日"], "chinese", None),
    (["2023年5月3日", "2023/5/4", "2023-05-05", "2023.5.6"], "year_first", None),
    (["45000", "45100", "44000"], "serial", None),
])
def test_date_styles(cells, style, fmt):
    d = profile_column(cells).dates
    assert d is not None
    assert (d.style, d.format) == (style, fmt)


def test_day_first_reads_every_cell_with_its_format():
    d = profile_column(["25/03/2022", "03/04/2022", "1/12/2021"]).dates
    assert (d.parsed, d.failed, d.deciding) == (3, 0, 1)
    assert (d.first, d.last) == (dt.date(2021, 12, 1), dt.date(2022, 4, 3))


def test_serial_range_is_excel_dates():
    d = profile_column(["44927"]).dates  # 2023-01-01 in Excel's 1900 date system
    assert d.style == "serial" and d.first == dt.date(2023, 1, 1)


def test_partial_and_failed_dates_counted_with_positions():
    d = profile_column(["2023-05-03", "2023-05", "2023-06-01", "unknown", "2023-07-01"]).dates
    assert (d.parsed, d.partial, d.failed, d.failed_positions) == (3, 1, 1, (3,))


def test_ages_are_numbers_not_serial_dates():
    c = profile_column(["61", "70", "55"])
    assert c.dates is None and c.numbers.integers and c.numbers.median == 61


def test_codes_numbers_in_numeric_order_words_by_frequency():
    assert profile_column(["2", "10", "1", "2"]).code_values == ("1", "2", "10")
    assert profile_column(["F", "M", "M"]).codes == (("M", 2), ("F", 1))


def test_many_values_are_not_codes():
    assert profile_column([f"P{i}" for i in range(40)]).codes == ()


def test_sequence_is_row_numbers():
    assert profile_column([str(i) for i in range(1, 11)]).sequence
    assert not profile_column(["1", "3", "2"]).sequence


@pytest.mark.parametrize(("cells", "pattern"), [
    (["13812345678", "139 1234 5678"], "phone"),
    (["110105195803120011", "41010519600101002X"], "national_id"),
    (["a@b.cn", "x.y@hospital.org"], "email"),
])
def test_identifier_patterns(cells, pattern):
    assert pattern in profile_column(cells).patterns


def test_dates_are_not_phone_numbers():
    assert "phone" not in profile_column(["2023-04-04", "2024-01-31"]).patterns


def test_empty_column():
    c = profile_column([None, None])
    assert c.empty and c.dates is None and c.codes == ()


def test_year_first_styles_mixed_in_one_column_are_all_read():
    d = profile_column(["2023年5月3日", "2023/5/4", "2023-05-05", "2023.5.6", "2024年1月31日",
                        "2023年13月1日"]).dates
    assert (d.style, d.format) == ("year_first", None)
    assert (d.parsed, d.failed, d.failed_positions) == (5, 1, (5,))
    assert (d.first, d.last) == (dt.date(2023, 5, 3), dt.date(2024, 1, 31))
