"""The ``comparisons:`` block of the study spec: adjusted internal comparisons between groups of
the cohort, and comparisons of the cohort with a published trial arm.

``internal``: groups from one patient variable (e.g. prior immunotherapy yes/no), adjusted for
confounders by propensity-score weighting (``weighting:``: the estimand, stabilising, trimming,
truncation) or matching (``matching:``: ratio, caliper, replacement). ``external``: a published
arm given as the points digitised from its Kaplan-Meier figure (a CSV ``time, survival``) and
its numbers at risk (a CSV ``time, n_at_risk``), with its citation; the arm's patient data are
rebuilt (Guyot et al. 2012) and compared with one of the cohort's endpoints. File paths are
relative to the folder of the YAML file, like the sources'. ``docs/study-spec.md`` documents
every field; the statistics are in ``docs/statistics.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationInfo
from pydantic import model_validator
from pydantic_core import PydanticCustomError

from oncocohort.canon.conventions import TimeUnit

__all__ = ["Weighting", "Matching", "InternalComparison", "ExternalComparison", "Comparisons"]

_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def _level_text(value: Any) -> Any:
    """A group level as the cell reads: ``1`` and ``"1"`` are one level; yes/no as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return value


Level = Annotated[str, BeforeValidator(_level_text)]


class Weighting(_Frozen):
    """``weighting:``: inverse-probability-of-treatment weights from the propensity score.

    ``estimand``: ``ATE`` (the whole cohort), ``ATT`` (the patients of the ``treated`` group),
    ``ATO`` (the overlap population); ``stabilize``: stabilised weights; ``trim: a`` leaves out
    the patients with a score outside [a, 1 - a] (weight 0); ``truncate: q`` caps the weights at
    their q-th and (1 - q)-th quantiles.
    """

    estimand: Literal["ATE", "ATT", "ATO"] = "ATE"
    stabilize: bool = True
    trim: float | None = Field(None, gt=0, lt=0.5)
    truncate: float | None = Field(None, gt=0, lt=0.5)


class Matching(_Frozen):
    """``matching:``: greedy nearest-neighbour matching on the logit of the propensity score
    (largest score first), ``ratio`` controls per treated patient, within ``caliper`` standard
    deviations of the logit (``null``: no caliper), with or without ``replace``-ment."""

    ratio: int = Field(1, ge=1, le=10)
    caliper: float | None = Field(0.2, gt=0, le=10)
    replace: bool = False


class InternalComparison(_Frozen):
    """One adjusted comparison of two groups of the cohort.

    ``variable`` is a patient column; ``treated`` its level forming the index group, compared
    with ``control`` (by default the variable's other level, when it has two). ``adjust`` are
    the confounders of the propensity model (numeric columns enter linearly, others as
    indicators). ``endpoints``: which endpoints (default: every endpoint analysed in all
    patients). Exactly one of ``weighting`` and ``matching``.
    """

    name: str = Field(pattern=_NAME)
    label: str | None = None
    variable: str = Field(min_length=1)
    treated: Level
    control: Level | None = None
    adjust: list[str] = Field(min_length=1)
    endpoints: list[str] = Field(default_factory=list)
    weighting: Weighting | None = None
    matching: Matching | None = None

    @model_validator(mode="after")
    def _one_method(self) -> InternalComparison:
        if (self.weighting is None) == (self.matching is None):
            raise PydanticCustomError(
                "weighting_or_matching",
                "give exactly one of 'weighting' (e.g. weighting: {estimand: ATE}) and "
                "'matching' (e.g. matching: {ratio: 1, caliper: 0.2})",
            )
        if self.variable in self.adjust:
            raise PydanticCustomError(
                "group_adjusted",
                "'{variable}' forms the groups: it cannot also be in adjust",
                {"variable": self.variable},
            )
        if self.control is not None and self.control == self.treated:
            raise PydanticCustomError(
                "same_levels", "treated and control must be different levels"
            )
        return self

    @property
    def method(self) -> Literal["weighting", "matching"]:
        """``weighting`` or ``matching``."""
        return "weighting" if self.weighting is not None else "matching"


class ExternalComparison(_Frozen):
    """The cohort against a published arm, rebuilt from its Kaplan-Meier figure.

    ``curve``: a CSV of the points read off the figure (columns ``time``, ``survival``; a
    fraction, or percent if every value is), ``at_risk``: a CSV of the numbers at risk printed
    under it (columns ``time``, ``n_at_risk``, starting at 0); ``time_unit``: the unit of the
    figure's time axis (default: the study's); ``total_events``: the events the publication
    reports, if any; ``endpoint``: the cohort's endpoint compared; ``rmst_tau``: the horizon of
    the restricted mean survival time, in the study's time unit (default: the earlier of the
    two curves' last times); ``citation``: where the arm is published.
    """

    name: str = Field(pattern=_NAME)
    label: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    endpoint: str = Field(min_length=1)
    curve: str = Field(min_length=1)
    at_risk: str = Field(min_length=1)
    time_unit: TimeUnit | None = None
    total_events: int | None = Field(None, ge=0)
    rmst_tau: float | None = Field(None, gt=0)
    _base: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> ExternalComparison:
        base = (info.context or {}).get("base_dir") if info is not None else None
        self._base = Path(base) if base is not None else None
        return self

    @property
    def curve_path(self) -> Path:
        """``curve`` resolved against the folder of the spec."""
        return self._base / self.curve if self._base is not None else Path(self.curve)

    @property
    def at_risk_path(self) -> Path:
        """``at_risk`` resolved against the folder of the spec."""
        return self._base / self.at_risk if self._base is not None else Path(self.at_risk)


class Comparisons(_Frozen):
    """``comparisons:``: ``internal`` (adjusted comparisons between groups of the cohort) and
    ``external`` (the cohort against published arms); names unique across both."""

    internal: list[InternalComparison] = Field(default_factory=list)
    external: list[ExternalComparison] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> Comparisons:
        seen: set[str] = set()
        for c in [*self.internal, *self.external]:
            if c.name in seen:
                raise PydanticCustomError(
                    "duplicate_comparison", "comparison name '{name}' used twice",
                    {"name": c.name},
                )
            seen.add(c.name)
        return self
