"""The typed distinct codes the cohort rules and the variable levels share."""

from __future__ import annotations

import doctest

import numpy as np

import oncocohort.canon.distinct as distinct
from oncocohort.canon.distinct import first_positions, typed_codes


def test_doctests():
    assert doctest.testmod(distinct).failed == 0


def test_types_stay_apart_and_unhashable_cells_give_none():
    cells = np.array([0, False, 0.0, -0.0, "0", np.nan, None, np.nan, 0], dtype=object)
    codes = typed_codes(cells)
    assert codes.tolist() == [0, 1, 2, 2, 3, 4, 5, 4, 0]  # -0.0 == 0.0: one float value
    assert first_positions(codes).tolist() == [0, 1, 2, 4, 5, 6]
    assert typed_codes(np.array([[1], [2]] + [None], dtype=object)) is None
    assert first_positions(typed_codes(np.array([], dtype=object))).tolist() == []
