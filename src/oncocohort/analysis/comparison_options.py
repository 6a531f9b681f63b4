"""What the comparisons of a study are asked to do: :class:`InternalComparison` (two groups of
the cohort, adjusted by propensity-score weighting or matching) and :class:`ExternalArm` (the
cohort against a published arm rebuilt from its Kaplan-Meier figure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

__all__ = ["InternalComparison", "ExternalArm", "PublishedArm"]


@dataclass(frozen=True)
class InternalComparison:
    """One adjusted comparison (the spec's ``comparisons.internal`` entry).

    ``treated`` / ``control``: levels of ``variable`` as the spec writes them (``true``, ``1``,
    ``Yes``...; matched against the level texts of Table 1); ``control=None``: the other level.
    ``endpoints`` empty: every endpoint analysed in all patients. ``method`` says which of the
    weighting (``estimand``, ``stabilize``, ``trim``, ``truncate``) or matching (``ratio``,
    ``caliper``, ``replace``) fields apply.
    """

    name: str
    label: str
    variable: str
    treated: str
    adjust: tuple[str, ...]
    method: Literal["weighting", "matching"] = "weighting"
    control: str | None = None
    endpoints: tuple[str, ...] = ()
    estimand: Literal["ATE", "ATT", "ATO"] = "ATE"
    stabilize: bool = True
    trim: float | None = None
    truncate: float | None = None
    ratio: int = 1
    caliper: float | None = 0.2
    replace: bool = False


@dataclass(frozen=True)
class ExternalArm:
    """One published arm to compare the cohort with (the spec's ``comparisons.external``
    entry); its digitised data are a :class:`PublishedArm`, read from files by ``sources/``.

    ``time_factor`` converts the figure's time axis to the study's time unit (1 when the
    same); ``rmst_tau`` is in the study's time unit.
    """

    name: str
    label: str
    citation: str
    endpoint: str
    time_factor: float = 1.0
    total_events: int | None = None
    rmst_tau: float | None = None


@dataclass(frozen=True, eq=False)  # holds DataFrames
class PublishedArm:
    """The digitised curve (``time``, ``survival``) and the numbers at risk (``time``,
    ``n_at_risk``) of a published arm, in the figure's time unit, as read from its files."""

    curve: pd.DataFrame = field(repr=False)
    at_risk: pd.DataFrame = field(repr=False)
