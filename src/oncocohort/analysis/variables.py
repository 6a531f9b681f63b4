"""How each variable's levels are labelled, ordered and referenced: :class:`VariableLevels`,
applied to the patients before Table 1 and the subgroup analyses (:func:`apply_levels`).

The spec's ``variables.<name>.values`` maps a code, as the data hold it after the source's
recoding, to the label every table, figure and sentence shows; the order written is the level
order (``order: frequency``: the most frequent level first, ties in that order). Levels the
spec does not name keep their default text (``Yes``/``No`` for booleans, ``1`` for 1.0) and
follow the named ones in their own order (a cut's groups in the cut's order, other values
sorted). The result is an ordered pandas ``Categorical`` of the
labels, which Table 1 lists in category order and the Cox models take as the order of their
levels; the reference level of a Cox term is ``reference`` (a code or a label) or else the
first level of that order (R: ``factor(x, levels = ...)``, ``relevel(x, ref = ...)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from oncocohort.analysis.baseline import level_text, sorted_levels
from oncocohort.canon.distinct import first_positions, typed_codes

__all__ = ["VariableLevels", "apply_levels", "code_text", "reference_label"]


def code_text(value: object) -> str:
    """A value as the spec writes its code: ``true``/``false`` for booleans, ``1`` for 1.0,
    else its text (the spec's ``values:`` keys are read the same way)."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class VariableLevels:
    """The display of one categorical variable.

    Attributes
    ----------
    variable
        The column.
    labels
        Code (:func:`code_text`) -> label; a code without one keeps its default text.
    order
        Codes in the order shown (those absent from the data are skipped).
    by_frequency
        Show the most frequent level first (ties in ``order``, then sorted).
    reference
        The Cox reference level, a code or a label (``None``: the first level shown).
    """

    variable: str
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    order: tuple[str, ...] = ()
    by_frequency: bool = False
    reference: str | None = None

    def label(self, value: object) -> str:
        """The label of one non-missing value."""
        code = code_text(value)
        if code in self.labels:
            return self.labels[code]
        text = level_text(value)
        return self.labels.get(text, text)


def _ordered(values: pd.Series, spec: VariableLevels) -> list[str]:
    present = values.dropna()
    if isinstance(values.dtype, pd.CategoricalDtype):  # a cut: its groups' order
        seen = set(present.tolist())
        default = [spec.label(c) for c in values.cat.categories if c in seen]
        present = present.astype(object)
    else:
        default = [spec.label(v) for v in _sorted_values(present)]
    declared = [spec.labels.get(c, c) for c in spec.order]
    order = list(dict.fromkeys([*(d for d in declared if d in default), *default]))
    if spec.by_frequency:
        counts = pd.Series(_labels(present.tolist(), spec)).value_counts()
        order.sort(key=lambda lv: -int(counts.get(lv, 0)))  # stable: ties keep the order
    return order


def _sorted_values(present: pd.Series) -> list[object]:
    texts = sorted_levels(present)
    first: dict[str, object] = {}
    for v in _distinct(present.tolist()):
        first.setdefault(level_text(v), v)
    return [first[t] for t in texts]


def _distinct(values: list) -> list:
    """The distinct values in order of first appearance, ``True`` and ``1`` apart (keyed by
    type too: they are different codes)."""
    found = _distinct_codes(values)
    if found is None:  # an unhashable value
        return [v for _, v in dict.fromkeys((type(v), v) for v in values)]
    _, firsts = found
    return [values[i] for i in firsts]


def _distinct_codes(values: list) -> tuple[np.ndarray, np.ndarray] | None:
    """Per value, a code for its (type, value), numbered from 0 in order of first appearance
    (missing values of one type share one), and the position of each code's first value;
    ``None`` when a value is unhashable."""
    cells = np.empty(len(values), dtype=object)
    cells[:] = values
    codes = typed_codes(cells)
    return None if codes is None else (codes, first_positions(codes))


def _labels(values: list, spec: VariableLevels) -> list[str | None]:
    """``spec.label`` of each value (``None`` for a missing one), each distinct value (by
    type and value, as :func:`_distinct`) labelled once: a column repeats a few codes."""
    found = _distinct_labels(values, spec)
    if found is None:  # an unhashable value: each labelled on its own
        return [None if pd.isna(v) else spec.label(v) for v in values]
    codes, texts = found
    return texts[codes].tolist()


def _distinct_labels(values: list, spec: VariableLevels) -> tuple[np.ndarray, np.ndarray] | None:
    """The code of each value (as :func:`_distinct_codes`) and the label of each code
    (``None`` for a missing value); ``None`` when a value is unhashable."""
    found = _distinct_codes(values)
    if found is None:
        return None
    codes, firsts = found
    texts = np.empty(len(firsts), dtype=object)
    texts[:] = [None if pd.isna(values[i]) else spec.label(values[i]) for i in firsts]
    return codes, texts


def apply_levels(patients: pd.DataFrame, levels: Iterable[VariableLevels]) -> pd.DataFrame:
    """``patients`` (a copy) with each named column as an ordered ``Categorical`` of its
    labels, in the display order; columns absent from ``patients`` are skipped.

    Examples
    --------
    >>> p = pd.DataFrame({"sex": ["F", "M", "M", None]})
    >>> out = apply_levels(p, [VariableLevels("sex", {"M": "Male", "F": "Female"}, ("M", "F"))])
    >>> list(out["sex"].cat.categories), out["sex"].tolist()
    (['Male', 'Female'], ['Female', 'Male', 'Male', nan])
    """
    out = patients.copy()
    for spec in levels:
        if spec.variable not in out.columns:
            continue
        col = out[spec.variable]
        out[spec.variable] = _categorical(col.tolist(), spec, _ordered(col, spec))
    return out


def _categorical(values: list, spec: VariableLevels, order: list[str]) -> pd.Categorical:
    """``spec.label`` of each value as a ``Categorical`` with the categories ``order``
    (a missing value, or a label not in ``order``, is missing): built from the codes of the
    distinct values, not by finding the labels of every row again."""
    found = _distinct_labels(values, spec)
    if found is None:  # an unhashable value
        return pd.Categorical(_labels(values, spec), categories=order)
    codes, texts = found
    position = {text: k for k, text in enumerate(order)}
    category = np.array([-1 if t is None else position.get(t, -1) for t in texts], dtype=int)
    return pd.Categorical.from_codes(category[codes], categories=order)


def reference_label(spec: VariableLevels, levels: Sequence[str]) -> str | None:
    """The label of ``spec.reference`` among ``levels`` (given as a code or a label), or
    ``None`` when the spec names none; ``ValueError`` when it is not a level of the data."""
    if spec.reference is None:
        return None
    ref = spec.labels.get(spec.reference, spec.reference)
    if ref not in levels:
        raise ValueError(f"the reference level {spec.reference!r} of {spec.variable!r} is not "
                         f"one of its levels ({', '.join(levels)})")
    return ref
