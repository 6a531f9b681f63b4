"""The typed distinct codes the cohort rules and the variable levels share, and the coded
columns the readers, the mapping and the typing of cells share."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd

import oncocohort.canon.distinct as distinct
from oncocohort.canon.distinct import (
    coded_column,
    column_cells,
    column_codes,
    first_positions,
    typed_codes,
)


def test_doctests():
    assert doctest.testmod(distinct).failed == 0


def test_types_stay_apart_and_unhashable_cells_give_none():
    cells = np.array([0, False, 0.0, -0.0, "0", np.nan, None, np.nan, 0], dtype=object)
    codes = typed_codes(cells)
    assert codes.tolist() == [0, 1, 2, 2, 3, 4, 5, 4, 0]  # -0.0 == 0.0: one float value
    assert first_positions(codes).tolist() == [0, 1, 2, 4, 5, 6]
    assert typed_codes(np.array([[1], [2]] + [None], dtype=object)) is None
    assert first_positions(typed_codes(np.array([], dtype=object))).tolist() == []


def test_coded_column_merges_repeated_values_and_keeps_types():
    values = np.array(["a", True, "a", None, "True", False], dtype=object)
    column = coded_column(np.array([0, 1, 2, 3, -1, 4, 5, 0]), values)
    assert [type(c) for c in column.categories] == [str, bool, str, bool]
    assert column_cells(pd.Series(column)).tolist() == [
        "a", True, "a", None, None, "True", False, "a"]
    codes, categories = column_codes(pd.Series(column))
    assert codes.tolist() == [0, 1, 0, -1, -1, 2, 3, 0]
    assert categories.tolist() == ["a", True, "True", False]
    yes_no = coded_column(np.array([1, 0, 2, -1]), np.array([True, False, None], dtype=object))
    assert [type(c) for c in yes_no.categories] == [bool, bool]
    assert yes_no.codes.tolist() == [1, 0, -1, -1]


def test_coded_column_of_numbers_is_none_and_plain_columns_have_no_codes():
    # 1 and True, or 0.0 and -0.0, would merge into one category: numbers stay plain cells
    assert coded_column(np.array([0, 1]), np.array([1, True], dtype=object)) is None
    assert coded_column(np.array([0]), np.array([-0.0], dtype=object)) is None
    plain = pd.Series(np.array(["a", None], dtype=object))
    assert column_codes(plain) is None and column_cells(plain).tolist() == ["a", None]
    empty = coded_column(np.array([], dtype=np.int64), np.array([], dtype=object))
    assert len(empty) == 0 and column_cells(pd.Series(empty)).tolist() == []
