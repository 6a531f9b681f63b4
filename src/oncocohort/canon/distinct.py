"""Distinct cells told apart by type and value: the codes that let a column's work be done
once per distinct value (a column repeats a few values) without ``True``, ``1`` and ``1.0``
merging into one, as equality and hashing would merge them.

A column read from a source travels as a pandas ``Categorical`` of its distinct cells (a
*coded* column, :func:`coded_column`): the readers find the distinct cells once, and the
mapping and the typing of cells work on the categories and keep the codes
(:func:`column_codes`), instead of finding them again in every step.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["typed_codes", "first_positions", "coded_column", "column_codes", "column_cells"]


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


#: The types a coded column's categories may have: what the readers give (text) and what the
#: mapping's built-in codes add (yes/no). Values of other types (numbers from a spec's
#: ``values:``) stay plain cells: ``0.0`` and ``-0.0``, or ``1`` and ``True``, would merge.
_CATEGORY_TYPES = (str, bool)


def coded_column(codes: np.ndarray, values: np.ndarray) -> pd.Categorical | None:
    """The cells ``values[codes]`` as a ``Categorical`` of the distinct values (code -1, and a
    ``None`` value, are missing), or ``None`` when a value is not ``str`` or ``bool`` (see
    :data:`_CATEGORY_TYPES`). ``values`` may repeat a value: its codes are merged.

    >>> c = coded_column(np.array([0, 1, -1, 2, 1]), np.array(["a", "b", "a"], dtype=object))
    >>> c.tolist(), c.categories.tolist()
    (['a', 'b', nan, 'a', 'b'], ['a', 'b'])
    """
    values = np.asarray(values, dtype=object)
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if not all(k in _CATEGORY_TYPES for k in kinds):
        return None
    if len(kinds) <= 1:  # values of one type: equal values are the same value
        number, distinct = pd.factorize(values, use_na_sentinel=True)
    else:
        keys = typed_codes(values)
        firsts = first_positions(keys)
        present = np.not_equal(values[firsts], None)
        renumber = np.full(len(firsts), -1, dtype=np.int64)
        renumber[present] = np.arange(int(present.sum()))
        number, distinct = renumber[keys], values[firsts][present]
    categories = pd.Index(distinct, dtype=object)
    return pd.Categorical.from_codes(np.append(number, -1)[codes],  # code -1: missing
                                     dtype=pd.CategoricalDtype(categories))


def column_codes(values: object) -> tuple[np.ndarray, np.ndarray] | None:
    """A coded column's codes (-1: missing) and its categories (an ``object`` array), or
    ``None`` when ``values`` is not coded."""
    dtype = getattr(values, "dtype", None)
    if not isinstance(dtype, pd.CategoricalDtype):
        return None
    cat = values.array if isinstance(values, pd.Series) else values
    return np.asarray(cat.codes), dtype.categories.to_numpy(dtype=object)


def column_cells(values: pd.Series) -> np.ndarray:
    """A column's cells as an ``object`` array: a coded column's missing cells ``None``,
    other columns' cells as they are."""
    coded = column_codes(values)
    if coded is None:
        return values.to_numpy(dtype=object)
    codes, categories = coded
    return np.append(categories, None)[codes]
