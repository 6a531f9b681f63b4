"""Fast exact look-up of ARD values by their key columns (used by the table builders)."""

from __future__ import annotations

import pandas as pd

from oncocohort.analysis.ard import ARD_COLUMNS

__all__ = ["ArdLookup"]

_KEYS = tuple(c for c in ARD_COLUMNS if c not in ("value", "unit", "denominator"))


class ArdLookup:
    """``get(analysis=..., statistic=..., ...)`` -> value (NaN when absent); keys default ``""``."""

    def __init__(self, ard: pd.DataFrame) -> None:
        self.ard = ard
        self._values: dict[tuple, float] = {}
        for rec in ard[list(_KEYS) + ["value"]].itertuples(index=False):
            self._values[tuple(rec[:-1])] = float(rec[-1])

    def get(self, **where: str) -> float:
        key = tuple(where.get(k, "") for k in _KEYS)
        return self._values.get(key, float("nan"))

    def has(self, **where: str) -> bool:
        return tuple(where.get(k, "") for k in _KEYS) in self._values

    def values(self, column: str, **where: str) -> list[str]:
        """Distinct values of ``column`` among rows matching ``where``, in ARD order."""
        mask = pd.Series(True, index=self.ard.index)
        for col, val in where.items():
            mask &= self.ard[col] == val
        return list(dict.fromkeys(self.ard.loc[mask, column].tolist()))
