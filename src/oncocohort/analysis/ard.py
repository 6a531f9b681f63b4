"""The analysis-results dataset (ARD): every number of a study as one long table.

Each analysis emits rows; tables, figure labels and sentences are rendered from these rows,
so a number is computed once and cannot disagree with itself (the pharmaverse ``cards``
idea). Columns (see ``docs/results.md``):

The fixed values of the key columns are :mod:`oncocohort.analysis.keys`.

``analysis``     e.g. ``baseline``, ``response``, ``survival``, ``subgroup``, ``safety``
``endpoint``     e.g. ``os``, ``pfs``, ``dor``; empty when not a time-to-event analysis
``group_var``    the grouping variable (e.g. ``ecog_group``); empty for the whole cohort
``group_level``  its level (e.g. ``0``)
``variable``     what is described (e.g. ``age``, ``bor``, ``Fatigue``)
``category``     a level of ``variable`` (e.g. ``PR``, ``grade >=3``); empty for continuous
``statistic``    e.g. ``n``, ``pct``, ``median``, ``min``, ``lower``, ``upper``, ``hr``, ``p``
``value``        the number (float)
``unit``         e.g. ``months``, ``%``, ``years``; empty when dimensionless
``denominator``  the n the percentage is of; empty when not a proportion
``method``       how the number was computed (:class:`~oncocohort.analysis.keys.Method`);
                 empty when the report's conventions say it
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

__all__ = ["ARD_COLUMNS", "ArdRow", "ard_frame", "ard_value"]

ARD_COLUMNS: tuple[str, ...] = (
    "analysis",
    "endpoint",
    "group_var",
    "group_level",
    "variable",
    "category",
    "statistic",
    "value",
    "unit",
    "denominator",
    "method",
)


@dataclass(frozen=True)
class ArdRow:
    analysis: str
    statistic: str
    value: float
    variable: str = ""
    category: str = ""
    endpoint: str = ""
    group_var: str = ""
    group_level: str = ""
    unit: str = ""
    denominator: float | None = None
    method: str = ""


def _plain(value: object) -> object:
    """Key values as plain text (a :class:`~oncocohort.analysis.keys` member is its text)."""
    return str(value) if isinstance(value, StrEnum) else value


def ard_frame(rows: Iterable[ArdRow]) -> pd.DataFrame:
    """Rows -> the ARD frame with the canonical column order and stable dtypes."""
    records = [
        {c: _plain(getattr(r, c)) for c in ARD_COLUMNS} for r in rows
    ]
    frame = pd.DataFrame.from_records(records, columns=list(ARD_COLUMNS))
    frame["value"] = frame["value"].astype(float)
    frame["denominator"] = frame["denominator"].astype(float)
    return frame


def ard_value(ard: pd.DataFrame, **where: str) -> float:
    """The single value matching ``where`` (column=value); error if none or several."""
    mask = pd.Series(True, index=ard.index)
    for col, val in where.items():
        mask &= ard[col] == val
    hits = ard.loc[mask, "value"]
    if len(hits) != 1:
        raise KeyError(f"{len(hits)} ARD rows match {dict(where)}")
    return float(hits.iloc[0])


def ard_filter(ard: pd.DataFrame, **where: str | Mapping) -> pd.DataFrame:
    mask = pd.Series(True, index=ard.index)
    for col, val in where.items():
        mask &= ard[col] == val
    return ard.loc[mask]
