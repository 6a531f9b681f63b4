"""Time-to-event endpoints as data, and one generic derivation for all of them.

An :class:`Endpoint` is a start date, event sources and censoring sources, all *named dates*
(:mod:`oncocohort.derive.dates`); it mirrors one block of the study YAML::

    endpoints:
      pfs: {label: Progression-free survival, start: index, events: [progression, death],
            censor: [last_adequate_assessment, index], missed_assessments: 2,
            assessment_interval_days: 42, censor_at_new_therapy: false}

:func:`derive_param_tte` turns the named-dates frame into one ADaM-like row per subject
(``PARAMCD``/``ADT``/``CNSR``/``AVAL``), with the rules of admiral ``derive_param_tte()``
plus the FDA censoring options. Ready-made definitions: :data:`OS`, :data:`PFS`,
:data:`DOR`, :data:`TTR` (:func:`ttr_endpoint`), :data:`TTD`.

Rules, in the order applied to each subject
-------------------------------------------
1. Population: ``"responders"`` keeps subjects with ``responder == "Y"``.
2. Data cut-off: source dates after the subject's ``data_cutoff`` are not used; censoring
   dates after it are set to the cut-off; a subject whose only events fall after the cut-off
   is censored at the cut-off (known event-free then).
3. Event: the earliest event-source date (ties: the first source listed). With
   ``competing`` sources, a competing-source date strictly before the event (or without an
   event) makes the outcome a competing event at that date (``cause`` 2; an event of
   interest on the same day wins); rules 4 and 5 then apply to it as to an event.
4. New therapy (``censor_at_new_therapy``): if ``new_therapy`` is on or before the event, or
   there is no event, the subject is censored at ``last_adequate_before_new_therapy`` (the
   start date if there is none).
5. Missed assessments (``missed_assessments = N``, ``assessment_interval_days = d``): if the
   event occurs more than ``N * d`` days after the last adequate assessment before it
   (``R``; the start date if none), i.e. ``event - R > N * d``, the subject is censored at
   ``R``. ``R`` is the latest of ``last_adequate_before_progression``,
   ``last_adequate_assessment`` and the start date that falls strictly before the event.
   This is the FDA (2018) rule "death or progression after more than one missed visit:
   censored at the date of the last adequate assessment"; the spec sets ``N`` (commonly 2).
6. Censoring (no event): the **latest** non-missing censoring-source date.

Time: ``aval_days = adt - start + 1`` (``day_count="admiral"``, admiral
``derive_vars_duration(add_one = TRUE)``; a start-day event lasts 1 day) or ``adt - start``
(``"difference"``, as R ``survival`` users often compute it); ``aval = aval_days / k`` with
``k`` = 1 (days), 7 (weeks), ``days_per_month`` (months, default 30.4375 = 365.25 / 12) or
``12 * days_per_month`` (years).

References
----------
admiral ``derive_param_tte()``, ``event_source()``, ``censor_source()``.
U.S. FDA. Clinical Trial Endpoints for the Approval of Cancer Drugs and Biologics. Guidance
for Industry, December 2018, Appendix 1 (PFS censoring table).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

import numpy as np
import pandas as pd

from oncocohort.canon.codes import NAMED_DATES
from oncocohort.canon.conventions import Conventions, DayCount, TimeUnit
from oncocohort.derive._common import DeriveDataError, first_reached

__all__ = ["Endpoint", "EndpointDataError", "TimeOptions", "derive_param_tte", "derive_params_tte",
           "ttr_endpoint", "derive_status_times", "STATUS_COLUMNS",
           "OS", "PFS", "DOR", "TTR", "TTD", "TTE_COLUMNS"]

TTE_COLUMNS: tuple[str, ...] = (
    "subject_id", "paramcd", "param", "start_date", "adt", "cnsr", "event", "cause",
    "evntdesc", "cnsdtdsc", "aval", "aval_days", "unit",
)
_DAYS_PER_UNIT = {"days": lambda m: 1.0, "weeks": lambda m: 7.0, "months": lambda m: m,
                  "years": lambda m: 12.0 * m}


def _check_source(name: str, where: str) -> None:
    if name in NAMED_DATES or (name.startswith("patients.") and len(name) > 9):
        return
    raise ValueError(f"{where}: unknown named date {name!r}; use one of "
                     f"{', '.join(NAMED_DATES)} or 'patients.<column>'")


_DEFAULT = Conventions()  # the spec's defaults (oncocohort.canon.conventions)


@dataclass(frozen=True)
class TimeOptions:
    """How durations are counted and expressed.

    Attributes
    ----------
    unit
        ``"days"``, ``"weeks"``, ``"months"`` or ``"years"``.
    days_per_month
        Days in a month (default 30.4375 = 365.25 / 12); a year is 12 months.
    day_count
        ``"admiral"``: ``end - start + 1``; ``"difference"``: ``end - start``.
    """

    unit: TimeUnit = _DEFAULT.time_unit
    days_per_month: float = _DEFAULT.days_per_month
    day_count: DayCount = _DEFAULT.day_count

    def __post_init__(self) -> None:
        if self.unit not in _DAYS_PER_UNIT:
            raise ValueError(f"unit must be one of {', '.join(_DAYS_PER_UNIT)}, not {self.unit!r}")
        if self.day_count not in ("admiral", "difference"):
            raise ValueError(f"day_count must be 'admiral' or 'difference', not {self.day_count!r}")
        if not self.days_per_month > 0:
            raise ValueError("days_per_month must be positive")

    @property
    def days_per_unit(self) -> float:
        return _DAYS_PER_UNIT[self.unit](self.days_per_month)

    def duration_days(self, start: pd.Series, end: pd.Series) -> pd.Series:
        """Days from ``start`` to ``end`` under the day-count convention (float)."""
        days = (end - start).dt.days.astype("float64")
        return days + 1.0 if self.day_count == "admiral" else days


@dataclass(frozen=True)
class Endpoint:
    """A time-to-event endpoint: a start date plus event and censoring sources (named dates).

    ``missed_assessments`` needs ``assessment_interval_days``; both options need the
    ``last_adequate_before_*`` dates, i.e. visit-level assessments given to
    :func:`~oncocohort.derive.dates.derive_named_dates`.
    """

    name: str
    label: str
    start: str
    events: tuple[str, ...]
    censor: tuple[str, ...]
    population: Literal["all", "responders"] = "all"
    missed_assessments: int | None = None
    assessment_interval_days: float | None = None
    censor_at_new_therapy: bool = False
    competing: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        where = f"endpoint {self.name!r}"
        object.__setattr__(self, "events", tuple(self.events))
        object.__setattr__(self, "censor", tuple(self.censor))
        object.__setattr__(self, "competing", tuple(self.competing))
        if set(self.events) & set(self.competing):
            raise ValueError(f"{where}: a date cannot be both an event and a competing event")
        if not self.events:
            raise ValueError(f"{where}: needs at least one event source")
        if not self.censor:
            raise ValueError(f"{where}: needs at least one censoring source")
        for name in (self.start, *self.events, *self.censor, *self.competing):
            _check_source(name, where)
        if self.population not in ("all", "responders"):
            raise ValueError(f"{where}: population must be 'all' or 'responders'")
        if self.missed_assessments is not None:
            if self.missed_assessments < 1:
                raise ValueError(f"{where}: missed_assessments must be 1 or more")
            if not (self.assessment_interval_days or 0) > 0:
                raise ValueError(f"{where}: missed_assessments needs a positive "
                                 "assessment_interval_days")

    @classmethod
    def from_spec(cls, name: str, block: Mapping[str, Any]) -> Endpoint:
        """Build from one block of the spec's ``endpoints:`` mapping (plain Python values).

        Keys: ``label`` (default: ``name``), ``start`` (default ``index``), ``events``,
        ``censor``, and optionally
        ``population``, ``missed_assessments``, ``assessment_interval_days``,
        ``censor_at_new_therapy``, ``competing``; unknown keys are an error.

        Examples
        --------
        >>> Endpoint.from_spec("os", {"start": "index", "events": ["death"],
        ...                           "censor": ["last_alive"]}).events
        ('death',)
        """
        allowed = {f.name for f in fields(cls)} - {"name"}
        extra = sorted(set(block) - allowed)
        if extra:
            raise ValueError(f"endpoint {name!r}: unknown key(s) {', '.join(extra)}")
        missing = sorted({"events", "censor"} - set(block))
        if missing:
            raise ValueError(f"endpoint {name!r}: missing key(s) {', '.join(missing)}")
        values = {"label": name, "start": "index", **block}
        values["events"] = tuple(values["events"])
        values["censor"] = tuple(values["censor"])
        values["competing"] = tuple(values.get("competing", ()))
        return cls(name=name, **values)


OS = Endpoint("os", "Overall survival", "index", ("death",), ("last_alive", "index"))
PFS = Endpoint("pfs", "Progression-free survival", "index", ("progression", "death"),
               ("last_adequate_assessment", "index"))
DOR = Endpoint("dor", "Duration of response", "first_response", ("progression", "death"),
               ("last_adequate_assessment", "first_response"), population="responders")
TTD = Endpoint("ttd", "Time to treatment discontinuation", "index", ("eot", "death"),
               ("last_alive", "index"))


def ttr_endpoint(population: Literal["all", "responders"] = "all") -> Endpoint:
    """Time to response: index to first response.

    ``population="all"`` (default) keeps every subject and censors non-responders at their
    last adequate assessment (or index), so the Kaplan-Meier curve estimates the cumulative
    probability of response; ``"responders"`` describes only the responders' times (all
    events), as many single-arm papers report "median TTR among responders".
    """
    return Endpoint("ttr", "Time to response", "index", ("first_response",),
                    ("last_adequate_assessment", "index"), population=population)


TTR = ttr_endpoint("all")


def _need(dates: pd.DataFrame, names: list[str], endpoint: Endpoint) -> None:
    missing = [n for n in names if n not in dates.columns]
    if missing:
        hint = (" (give visit-level assessments to derive_named_dates)"
                if any(m.startswith("last_adequate_before") for m in missing) else "")
        raise ValueError(f"endpoint {endpoint.name!r}: named-dates frame lacks "
                         f"{', '.join(missing)}{hint}")


def _subjects(mask: pd.Series, d: pd.DataFrame) -> str:
    ids = [str(s) for s in d.loc[mask, "subject_id"]]
    more = f" and {len(ids) - 20} more" if len(ids) > 20 else ""
    return ", ".join(ids[:20]) + more


class EndpointDataError(DeriveDataError):
    """The data cannot give an endpoint for some subjects (no start date, an event before the
    start, neither an event nor a censoring date): an input problem at the endpoint's YAML
    path naming the subjects, reported by ``validate`` as by ``run`` (exit 2, no traceback).
    Its text (``str``) is the message."""

    def __init__(self, message: str, location: str) -> None:
        super().__init__(message, location=location, code="endpoint_data")


def _apply_cutoff(d: pd.DataFrame, endpoint: Endpoint) -> pd.Series:
    """Blank source dates after the cut-off; return the mask of events lost to it."""
    cut = d["data_cutoff"] if "data_cutoff" in d else pd.Series(pd.NaT, index=d.index)
    lost = pd.Series(False, index=d.index)
    for name in (*endpoint.events, *endpoint.competing):
        after = d[name] > cut
        lost |= after
        d[name] = d[name].mask(after)
    for name in endpoint.censor:
        d[name] = d[name].mask(d[name] > cut, cut)
    return lost & d[list((*endpoint.events, *endpoint.competing))].isna().all(axis=1)


def _reference_before(d: pd.DataFrame, start: pd.Series, adt: pd.Series) -> pd.Series:
    cands = [start]
    for name in ("last_adequate_before_progression", "last_adequate_assessment"):
        cands.append(d[name].where(d[name] < adt))
    return pd.concat(cands, axis=1).max(axis=1)


def derive_param_tte(
    dates: pd.DataFrame,
    endpoint: Endpoint,
    *,
    options: TimeOptions = TimeOptions(),
) -> pd.DataFrame:
    """One time-to-event row per subject for ``endpoint`` (see the module rules 1-6).

    Parameters
    ----------
    dates
        Named dates, one row per subject (:func:`~oncocohort.derive.dates.derive_named_dates`).
    endpoint
        The endpoint definition.
    options
        Time unit and day-count convention.

    Returns
    -------
    pandas.DataFrame
        :data:`TTE_COLUMNS`: ``subject_id``, ``paramcd`` (endpoint name), ``param`` (label),
        ``start_date``, ``adt`` (event or censoring date), ``cnsr`` (0 event, 1 censored,
        2 competing event), ``event`` (1 for an event of interest, else 0), ``cause`` (0
        censored, 1 event of interest, 2 competing event: the coding of
        :func:`~oncocohort.stats.competing_risks.cumulative_incidence`), ``evntdesc``
        (event source, ``"competing: <source>"`` or ``"censored: <reason>"``),
        ``cnsdtdsc`` (censoring-date source or rule: a named date, ``"new therapy"``,
        ``"missed assessments"``, ``"data cut-off"``; empty for events), ``aval`` (in
        ``unit``), ``aval_days``, ``unit``.

    Raises
    ------
    ValueError
        A source column is absent, a subject of the population has no start date or no
        censoring date, or an event precedes the start date (subject IDs named).

    Examples
    --------
    >>> d = pd.DataFrame({"subject_id": ["1"], "responder": ["N"],
    ...     "index": pd.to_datetime(["2024-01-01"]), "death": pd.to_datetime(["2024-01-31"]),
    ...     "last_alive": pd.to_datetime(["2024-01-31"])})
    >>> r = derive_param_tte(d, OS, options=TimeOptions(unit="days"))
    >>> str(r.adt[0].date()), int(r.cnsr[0]), float(r.aval[0])
    ('2024-01-31', 0, 31.0)
    """
    needed = sorted({endpoint.start, *endpoint.events, *endpoint.censor, *endpoint.competing})
    if endpoint.censor_at_new_therapy:
        needed += ["new_therapy", "last_adequate_before_new_therapy"]
    if endpoint.missed_assessments is not None:
        needed += ["last_adequate_before_progression", "last_adequate_assessment"]
    _need(dates, ["subject_id", *needed], endpoint)
    d = dates.copy()
    if endpoint.population == "responders":
        _need(dates, ["responder"], endpoint)
        d = d[d["responder"].eq("Y")]
    d = d.reset_index(drop=True)
    for name in set(needed) | ({"data_cutoff"} & set(d.columns)):
        if d[name].dtype.kind != "M":  # (to_datetime on datetime64 is slow: probes a cache)
            d[name] = pd.to_datetime(d[name])
        d[name] = d[name].astype("datetime64[ns]")
    start = d[endpoint.start]
    if start.isna().any():
        raise EndpointDataError(
            f"endpoint {endpoint.name!r}: no {endpoint.start} date for subject(s) "
            f"{_subjects(start.isna(), d)}; choose another start or give the date",
            f"endpoints.{endpoint.name}.start")
    lost = _apply_cutoff(d, endpoint)
    adt, src = first_reached(d, endpoint.events, "earliest")
    competing = pd.Series(False, index=d.index)
    if endpoint.competing:
        cdt2, csrc2 = first_reached(d, endpoint.competing, "earliest")
        competing = cdt2.notna() & (adt.isna() | (cdt2 < adt))
        adt, src = adt.mask(competing, cdt2), src.mask(competing, csrc2)
    early = adt < start
    if early.any():
        raise EndpointDataError(
            f"endpoint {endpoint.name!r}: event before {endpoint.start} for subject(s) "
            f"{_subjects(early, d)}", f"endpoints.{endpoint.name}.events")
    cdt, csrc = first_reached(d, endpoint.censor, "latest")
    csrc = csrc.mask(lost, "data cut-off")
    cdt = cdt.mask(lost, d["data_cutoff"] if "data_cutoff" in d else pd.NaT)
    is_event = adt.notna()
    if endpoint.censor_at_new_therapy:
        nt = d["new_therapy"]
        hit = nt.notna() & (~is_event | (nt <= adt))
        before = d["last_adequate_before_new_therapy"].where(
            d["last_adequate_before_new_therapy"] <= nt).fillna(start)
        cdt, csrc = cdt.mask(hit, before), csrc.mask(hit, "new therapy")
        is_event &= ~hit
    if endpoint.missed_assessments is not None:
        ref = _reference_before(d, start, adt)
        gap = (adt - ref).dt.days > endpoint.missed_assessments * endpoint.assessment_interval_days
        hit = is_event & gap
        cdt, csrc = cdt.mask(hit, ref), csrc.mask(hit, "missed assessments")
        is_event &= ~hit
    final = adt.where(is_event, cdt)
    if final.isna().any():
        raise EndpointDataError(
            f"endpoint {endpoint.name!r}: no event and no censoring date for subject(s) "
            f"{_subjects(final.isna(), d)}; add a censoring date every patient has (index)",
            f"endpoints.{endpoint.name}.censor")
    aval_days = options.duration_days(start, final)
    cause = np.where(is_event, np.where(competing & is_event, 2, 1), 0)
    cnsr = np.where(cause == 1, 0, np.where(cause == 2, 2, 1))
    return pd.DataFrame({
        "subject_id": d["subject_id"].astype(str),
        "paramcd": endpoint.name,
        "param": endpoint.label,
        "start_date": start,
        "adt": final,
        "cnsr": cnsr.astype("int64"),
        "event": (cause == 1).astype("int64"),
        "cause": cause.astype("int64"),
        "evntdesc": src.where(is_event, "censored: " + csrc.astype(str)).where(
            ~(competing & is_event), "competing: " + src.astype(str)),
        "cnsdtdsc": csrc.where(~is_event, None),
        "aval": aval_days / options.days_per_unit,
        "aval_days": aval_days,
        "unit": options.unit,
    }, columns=list(TTE_COLUMNS))


def derive_params_tte(
    dates: pd.DataFrame,
    endpoints: Iterable[Endpoint],
    *,
    options: TimeOptions = TimeOptions(),
) -> pd.DataFrame:
    """:func:`derive_param_tte` for several endpoints, stacked: one row per subject per
    parameter (an ADTTE-like frame), endpoints in the order given."""
    endpoints = tuple(endpoints)
    names = [e.name for e in endpoints]
    if len(set(names)) != len(names):
        raise ValueError("endpoint names must be unique")
    parts = [derive_param_tte(dates, e, options=options) for e in endpoints]
    if not parts:
        return pd.DataFrame(columns=list(TTE_COLUMNS))
    return pd.concat(parts, ignore_index=True)


STATUS_COLUMNS: tuple[str, ...] = ("subject_id", "paramcd", "status", "status_time")


def derive_status_times(
    dates: pd.DataFrame,
    tte: pd.DataFrame,
    pairs: Iterable[tuple[str, str]],
    *,
    options: TimeOptions = TimeOptions(),
) -> pd.DataFrame:
    """When each subject acquired a status during an endpoint's follow-up.

    For each ``(endpoint, status)`` pair (``status`` a named date, e.g. ``first_response``),
    one row per subject of the endpoint with ``status_time``: the status date measured from
    the endpoint's start like ``aval`` (same day count and unit); NaN when the subject has
    no such date or it falls after the data cut-off. A ``status_time`` at or after ``aval``
    means the status was not acquired during follow-up (the convention of
    :mod:`oncocohort.stats.landmark`).
    """
    parts = []
    for endpoint, status in dict.fromkeys(pairs):
        rows = tte.loc[tte["paramcd"] == endpoint, ["subject_id", "start_date"]]
        if status not in dates.columns:
            raise ValueError(f"status {status!r}: not a named date of the study")
        d = dates.set_index(dates["subject_id"].astype(str))
        when = pd.to_datetime(d[status].reindex(rows["subject_id"])).astype("datetime64[ns]")
        when = when.to_numpy()
        if "data_cutoff" in d:
            cut = pd.to_datetime(d["data_cutoff"].reindex(rows["subject_id"])).to_numpy()
            when = np.where(when > cut, np.datetime64("NaT"), when)
        start = rows["start_date"].to_numpy().astype("datetime64[ns]")
        days = options.duration_days(pd.Series(start), pd.Series(when))
        parts.append(pd.DataFrame({
            "subject_id": rows["subject_id"].to_numpy(), "paramcd": endpoint,
            "status": status, "status_time": days.to_numpy() / options.days_per_unit}))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "status_time" else object)
                             for c in STATUS_COLUMNS})
    return pd.concat(parts, ignore_index=True)[list(STATUS_COLUMNS)]
