"""Cell-level parsing: every accepted spelling and every failure, worked out by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from oncocohort.model.coerce import (
    coerce_bools,
    coerce_codes,
    coerce_column,
    coerce_dates,
    coerce_numbers,
    coerce_text,
    is_missing,
    value_shape,
)
from oncocohort.canon.schema import table


def _iso(series):
    return [None if pd.isna(v) else v.date().isoformat() for v in series]


@pytest.mark.by_hand
def test_full_dates_in_accepted_spellings():
    c = coerce_dates(["2014-02-03", "2014/2/3", "2014.02.03", "2014-02-03 00:00:00",
                      "2014-02-03T13:45", dt.date(2014, 2, 3), dt.datetime(2014, 2, 3, 9),
                      pd.Timestamp("2014-02-03"), np.datetime64("2014-02-03")])
    assert _iso(c.values) == ["2014-02-03"] * 9
    assert c.codes == (None,) * 9
    assert c.values.dtype == "datetime64[ns]"


@pytest.mark.by_hand
def test_chinese_year_first_dates_mixed_with_the_others_in_one_column():
    c = coerce_dates(["2014年2月3日", "2014/2/4", "2014 年 02 月 05 日", "2014-02-06",
                      "2014.2.7", "2014年2月30日", "2014年13月1日", "2014年2月"],
                     partial_dates="first")
    assert _iso(c.values) == ["2014-02-03", "2014-02-04", "2014-02-05", "2014-02-06",
                              "2014-02-07", None, None, "2014-02-01"]
    assert c.codes == (None,) * 5 + ("invalid_date", "invalid_date", None)
    assert c.imputed == (False,) * 7 + (True,)


@pytest.mark.by_hand
@pytest.mark.parametrize("rule, month, year", [
    ("first", "2014-02-01", "2014-01-01"),
    ("mid", "2014-02-15", "2014-06-30"),   # admiral: 15th; 30 June when the month is missing
    ("last", "2014-02-28", "2014-12-31"),
])
def test_partial_dates_imputed_by_rule(rule, month, year):
    c = coerce_dates(["2014-02", "2014"], partial_dates=rule)
    assert _iso(c.values) == [month, year]
    assert c.imputed == (True, True) and c.codes == (None, None)


@pytest.mark.by_hand
def test_last_day_of_february_in_a_leap_year_and_month_year_order():
    c = coerce_dates(["2016-02", "02/2016", "2016/2"], partial_dates="last")
    assert _iso(c.values) == ["2016-02-29"] * 3


def test_partial_dates_rejected_by_default():
    c = coerce_dates(["2014-02", "2014", "2014-13"])
    assert c.codes == ("partial_date", "partial_date", "invalid_date")
    assert c.values.isna().all() and not any(c.imputed)


def test_unreadable_dates_fail_with_their_shape():
    c = coerce_dates(["03/02/2014", "2014-02-30", "3 Feb 2014", "20140203"])
    assert c.codes == ("invalid_date",) * 4
    assert c.details == ("99/99/9999", "9999-99-99", "9 AAA 9999", "99999999")


def test_date_format_reads_day_first_and_still_accepts_iso():
    c = coerce_dates(["03/02/2014", "2014-02-03", "13/13/2014"], date_format="%d/%m/%Y")
    assert _iso(c.values) == ["2014-02-03", "2014-02-03", None]
    assert c.codes == (None, None, "invalid_date")


@pytest.mark.parametrize("value", [None, np.nan, pd.NaT, pd.NA, "", "  ", "NA", "n/a", "NaN",
                                   "null", "None", "."])
def test_missing_spellings(value):
    assert is_missing(value)
    assert coerce_dates([value]).codes == (None,)


def test_ne_is_a_code_not_missing():
    assert not is_missing("NE")
    assert coerce_codes(["ne"], ["CR", "NE"]).values.tolist() == ["NE"]


@pytest.mark.by_hand
def test_numbers():
    c = coerce_numbers(["1.5", " 2 ", 3, 4.25, "-1", "abc", "2,5", "inf", True, ""])
    assert c.values.tolist()[:5] == [1.5, 2.0, 3.0, 4.25, -1.0]
    assert c.codes == (None,) * 5 + ("not_a_number",) * 4 + (None,)
    assert c.values.dtype == "float64" and np.isnan(c.values.iloc[9])


@pytest.mark.by_hand
def test_integers():
    c = coerce_numbers(["2", "2.0", 3.0, "2.5", "x", None], integer=True)
    assert c.values.dtype == "Int64"
    assert c.values.tolist()[:3] == [2, 2, 3]
    assert c.codes == (None, None, None, "not_an_integer", "not_a_number", None)


def test_bools():
    c = coerce_bools(["Yes", "NO", "y", "n", "TRUE", "false", "1", "0", 1, 0, True, "maybe", ""])
    assert c.values.tolist()[:11] == [True, False, True, False, True, False, True, False,
                                      True, False, True]
    assert c.codes[11] == "invalid_bool" and c.codes[12] is None
    assert c.values.dtype == "boolean"


def test_codes_canonical_spelling_and_suggestion():
    allowed = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")
    c = coerce_codes(["pr", " Non-CR/Non-PD ", "NON-CR/NONPD", "partial", "zz"], allowed)
    assert c.values.tolist() == ["PR", "NON-CR/NON-PD", None, None, None]
    assert c.codes == (None, None, "invalid_code", "invalid_code", "invalid_code")
    assert c.details == (None, None, "NON-CR/NON-PD", None, None)


def test_text_keeps_leading_zeros_and_strips():
    c = coerce_text(["007", " 12 ", "", None])
    assert c.values.tolist() == ["007", "12", None, None]


def test_coerce_column_dispatches_on_schema_type():
    pats = table("patients")
    assert coerce_column(["1"], pats.column("ecog")).values.dtype == "Int64"
    assert coerce_column(["1"], pats.column("age")).values.dtype == "float64"
    assert coerce_column(["f"], pats.column("sex")).values.tolist() == ["F"]
    assert coerce_column(["2014"], pats.column("birth_date"),
                         partial_dates="first").imputed == (True,)


def test_value_shape_hides_content():
    assert value_shape("Zhang 1961") == "AAAAA 9999"
