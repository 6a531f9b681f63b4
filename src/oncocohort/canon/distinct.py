"""Distinct cells told apart by type and value: the codes that let a column's work be done
once per distinct value (a column repeats a few values) without ``True``, ``1`` and ``1.0``
merging into one, as equality and hashing would merge them."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["typed_codes", "first_positions"]


def typed_codes(cells: np.ndarray) -> np.ndarray | None:
    """Per cell of an object array, a code for its (type, value), numbered from 0 in order of
    first appearance (missing values of one type share one); ``None`` when a cell is
    unhashable.

    >>> typed_codes(np.array([1, True, 1.0, 1, None, "1", None], dtype=object)).tolist()
    [0, 1, 2, 0, 3, 4, 3]
    """
    n = len(cells)
    try:
        kinds, _ = pd.factorize(np.fromiter(map(type, cells), dtype=object, count=n))
        values, _ = pd.factorize(cells)
    except TypeError:
        return None
    codes, _ = pd.factorize(kinds.astype(np.int64) * (n + 1) + values + 1)
    return codes


def first_positions(codes: np.ndarray) -> np.ndarray:
    """The position of each code's first cell (codes numbered from 0, as
    :func:`typed_codes` gives them).

    >>> first_positions(np.array([0, 1, 0, 2, 1])).tolist()
    [0, 1, 3]
    """
    firsts = np.full(codes.max() + 1 if len(codes) else 0, len(codes), dtype=np.int64)
    np.minimum.at(firsts, codes, np.arange(len(codes)))
    return firsts
