"""render_frame_csv builds its CSV a column at a time: the text must be pandas' to_csv, byte for
byte, for every kind of column a dataset holds (regression against pandas itself)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncocohort.report import results
from oncocohort.report.results import render_frame_csv


def _pandas_csv(frame: pd.DataFrame) -> str:
    return results._neutralised(frame).to_csv(index=False, date_format="%Y-%m-%d",
                                              lineterminator="\n")


def _frame() -> pd.DataFrame:
    n = 12
    return pd.DataFrame({
        "text": ["a", "b,c", 'say "x"', "two\nlines", "cr\rhere", " lead", "", None, "=1+1",
                 "-1.5", "-inf", np.nan],
        "number": [0.0, -0.0, 1e16, 1e-5, 0.1, -2.5, np.nan, np.inf, -np.inf, 123456.789,
                   1.0, 3.0],
        "count": np.arange(-3, n - 3, dtype="int64"),
        "flag": [True, False] * (n // 2),
        "date": pd.to_datetime(["2020-01-02", None, "1969-12-31 23:00", "2262-04-11",
                                "1700-01-01 12:00"] + ["2021-06-30"] * (n - 5), format="ISO8601"),
        "grade": pd.array([1, None, 3, 4, 5, None, 1, 2, 3, 4, 5, 1], dtype="Int64"),
        "serious": pd.array([True, None, False] * (n // 3), dtype="boolean"),
        "mixed": [True, None, False, 1, 1.0, -0.0, np.float64(2.5), "=x", "a,b",
                  pd.Timestamp("2020-01-01"), np.nan, float("-inf")],
        "empty": [None] * n,
        "@label": ["x"] * n,
    })


def test_every_column_kind_as_pandas_writes_it():
    frame = _frame()
    assert results._column_cells(frame) is not None  # the column-wise path, not pandas'
    assert render_frame_csv(frame) == _pandas_csv(frame)


@pytest.mark.parametrize("name", ["text", "number", "date", "mixed", "grade", "serious"])
def test_each_column_with_another(name):
    frame = _frame()[[name, "count"]]
    assert render_frame_csv(frame) == _pandas_csv(frame)


def test_frames_left_to_pandas():
    frame = _frame()
    one = frame[["text"]]
    assert results._column_cells(one) is None  # a lone empty cell is quoted by the csv module
    assert render_frame_csv(one) == _pandas_csv(one)
    assert render_frame_csv(frame.iloc[:0]) == _pandas_csv(frame.iloc[:0])
    categorical = frame.assign(text=pd.Categorical(frame["text"].fillna("x")))
    assert results._column_cells(categorical) is None
    assert render_frame_csv(categorical) == _pandas_csv(categorical)
    old = frame.assign(date=np.array(["0999-05-01", "2020-01-01"] * 6, dtype="datetime64[s]"))
    assert render_frame_csv(old) == _pandas_csv(old)
