"""Exact look-up of ARD values by their key columns (what every table, sentence and figure of
the report reads).

A key the ARD does not have is an error (:class:`MissingArdRow`), not a blank cell: a report
that asks for a row no analysis wrote, or spells a key differently, fails loudly. Where a row
may legitimately be absent (a log-rank test of a variable with one level, a Cox model that
was not fitted) the caller says so with ``default=`` or asks :meth:`ArdLookup.has` first.
"""

from __future__ import annotations

import pandas as pd

from oncocohort.analysis.ard import ARD_COLUMNS

__all__ = ["ArdLookup", "MissingArdRow"]

_KEYS = tuple(c for c in ARD_COLUMNS if c not in ("value", "unit", "denominator", "method"))
_REQUIRED = object()


class MissingArdRow(KeyError):
    """The report asked for an ARD row that the analyses did not write."""


class ArdLookup:
    """``get(analysis=..., statistic=..., ...)`` -> value; keys not given are ``""``."""

    def __init__(self, ard: pd.DataFrame) -> None:
        self.ard = ard
        keys = list(zip(*(ard[k].tolist() for k in _KEYS), strict=True))
        numbers = zip((float(v) for v in ard["value"].tolist()),
                      (float(v) for v in ard["denominator"].tolist()), strict=True)
        self._values: dict[tuple, tuple[float, float]] = dict(zip(keys, numbers, strict=True))
        self._methods: dict[tuple, str] = {}
        if "method" in ard.columns:
            for key, method in zip(keys, ard["method"].tolist(), strict=True):
                if isinstance(method, str) and method:
                    self._methods[tuple(str(k) for k in key)] = method
        self._distinct: dict[tuple[str, tuple[str, ...]], dict[tuple, list[str]]] = {}

    @staticmethod
    def _key(where: dict[str, str]) -> tuple:
        unknown = set(where) - set(_KEYS)
        if unknown:
            raise TypeError(f"not ARD key columns: {', '.join(sorted(unknown))}")
        return tuple(str(where.get(k, "")) for k in _KEYS)

    def _row(self, default: object, where: dict[str, str]) -> tuple[float, float] | None:
        key = self._key(where)
        if key in self._values:
            return self._values[key]
        if default is _REQUIRED:
            raise MissingArdRow(f"no ARD row {dict(zip(_KEYS, key, strict=True))}")
        return None

    def get(self, default: object = _REQUIRED, **where: str) -> float:
        """The value of the row with these keys; :class:`MissingArdRow` if there is none
        (``default`` is returned instead when given)."""
        row = self._row(default, where)
        return row[0] if row is not None else default  # type: ignore[return-value]

    def denominator(self, default: object = _REQUIRED, **where: str) -> float:
        """The ``denominator`` of the row with these keys (NaN when the row has none)."""
        row = self._row(default, where)
        return row[1] if row is not None else default  # type: ignore[return-value]

    def method(self, **where: str) -> str:
        """The ``method`` of the row with these keys (``""`` when it has none or there is no
        such row)."""
        return self._methods.get(self._key(where), "")

    def has(self, **where: str) -> bool:
        return self._key(where) in self._values

    def values(self, column: str, **where: str) -> list[str]:
        """Distinct values of ``column`` among rows matching ``where``, in ARD order.

        The first call with a given ``column`` and set of ``where`` columns indexes the ARD
        by them (one pass); later calls are a dictionary look-up."""
        cols = tuple(sorted(where))
        index = self._distinct.get((column, cols))
        if index is None:
            index = {}
            for *key, value in zip(*(self.ard[c].tolist() for c in cols),
                                   self.ard[column].tolist(), strict=True):
                index.setdefault(tuple(key), {})[value] = None
            index = {k: list(v) for k, v in index.items()}
            self._distinct[(column, cols)] = index
        return list(index.get(tuple(str(where[c]) for c in cols), []))
