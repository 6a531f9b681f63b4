"""Exposure to the studied regimen (per subject and drug) and prior therapy (per subject).

Records
-------
The canonical ``therapy`` table has one row per drug per administration (infusions: ``end_date``
empty or equal to ``start_date``) or per period of daily dosing (oral drugs: ``start_date`` to
``end_date``, ``dose`` per day). A :class:`DrugSchedule` says which: ``kind="infusion"`` counts
``dose`` once per row, ``kind="daily"`` counts it on each day of the period
(``end - start + 1`` days; one day when ``end_date`` is empty).

Definitions (per subject and drug)
----------------------------------
n_cycles
    Distinct non-missing ``cycle`` numbers; where the drug has none, the number of rows.
first_dose_date, last_dose_date
    Earliest ``start_date``; latest ``end_date`` (``start_date`` where empty).
treatment_duration_days
    ``last_dose_date - first_dose_date + 1`` (the day of the first dose counts, as admiral
    ``TRTDURD``); ``treatment_duration_months`` divides by ``days_per_month``. It does not add
    the rest of the last cycle (some protocols add ``cycle_days - 1`` for infusions).
cumulative_dose
    Sum of the doses given (mg).
starting_dose
    ``dose`` of the first record.
planned unit dose
    The first non-missing ``planned_dose`` of the drug's records; else the schedule's ``dose``;
    else the starting dose.
planned_cumulative_dose, relative_dose_intensity
    Dose intensity is dose per cycle-length of time. The intensity period runs from the first
    dose to the end of the last cycle started: ``P = (last cycle start - first dose) +
    cycle_days`` days (a cycle starts at its first record, or at each record when ``cycle`` is
    empty). Planned dose per cycle = planned unit dose x ``doses_per_cycle`` (``days_on`` for
    daily drugs, e.g. 14 for anlotinib 12 mg days 1-14 of 21: 168 mg; 1 for an infusion).
    ``planned_cumulative_dose = planned per cycle x P / cycle_days``;
    ``relative_dose_intensity = cumulative_dose / planned_cumulative_dose`` =
    actual dose intensity / planned dose intensity (Hryniuk & Bush 1984; delays lower it
    because P grows, reductions and interruptions because the dose falls).
n_dose_reductions, first_reduction_date, first_reduction_reason
    Records with ``dose_change == "reduction"`` or a ``dose`` lower than the previous dosed
    record's (each record counted once; interruptions, flagged or dose 0, are skipped); the
    first such record's date and ``dose_change_reason``.
n_delays
    Records with ``dose_change == "delay"``, or cycle starts more than ``delay_days`` later
    than scheduled, i.e. ``start - previous cycle start > cycle_days + delay_days`` (default 7
    days late on a 21-day cycle: a gap over 28 days); each cycle start counted once.
n_interruptions, interruption_reasons
    Records with ``dose_change == "interruption"`` or a dose of 0; the distinct
    ``dose_change_reason`` of these records, in date order, joined by ``"; "`` (empty when
    none is recorded).
first_reduction_ae, interruption_aes
    The reasons above that name an adverse event, as the safety tables name it (the CTCAE
    term of the recorded name, or the spec group holding it: ``hand-foot syndrome`` ->
    ``Palmar-plantar erythrodysesthesia syndrome``), by the ``reason_ae`` mapping given to
    :func:`derive_exposure` (empty without one, or when a reason is no adverse event, e.g.
    ``patient request``).
eot_reason, on_treatment_at_cutoff
    From ``patients``: on treatment at the cut-off when ``eot_date`` is empty or after the
    cut-off, and the patient was not dead by it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from oncocohort.derive._common import (
    DeriveDataError,
    check_known_subjects,
    index_patients,
    require_columns,
)

__all__ = ["DrugSchedule", "derive_exposure", "derive_prior_therapy", "EXPOSURE_COLUMNS",
           "PRIOR_COLUMNS"]

EXPOSURE_COLUMNS: tuple[str, ...] = (
    "subject_id", "drug", "n_cycles", "first_dose_date", "last_dose_date",
    "treatment_duration_days", "treatment_duration_months", "cumulative_dose",
    "planned_cumulative_dose", "relative_dose_intensity", "starting_dose", "planned_dose",
    "n_dose_reductions", "first_reduction_date", "first_reduction_reason", "first_reduction_ae",
    "n_delays", "n_interruptions", "interruption_reasons", "interruption_aes", "eot_reason",
    "on_treatment_at_cutoff",
)
PRIOR_COLUMNS: tuple[str, ...] = (
    "subject_id", "n_prior_lines", "prior_ici", "prior_taxane", "prior_platinum",
    "prior_targeted", "last_prior_ici_date", "ici_free_interval_days",
    "ici_free_interval_months",
)


@dataclass(frozen=True)
class DrugSchedule:
    """How one drug of the regimen is planned.

    Attributes
    ----------
    kind
        ``"daily"`` (oral, ``dose`` per day over a period) or ``"infusion"`` (one dose a row).
    dose
        Planned dose per day (daily) or per administration (infusion), mg; ``None`` to use the
        ``planned_dose`` column or the starting dose.
    days_on
        Dosing days per cycle for daily drugs (14 for days 1-14); ``None`` = every day.
    cycle_days
        Cycle length in days; ``None`` = the ``cycle_days`` argument of :func:`derive_exposure`.
    """

    kind: Literal["daily", "infusion"] = "infusion"
    dose: float | None = None
    days_on: int | None = None
    cycle_days: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("daily", "infusion"):
            raise ValueError(f"kind must be 'daily' or 'infusion', not {self.kind!r}")
        if self.days_on is not None and self.days_on < 1:
            raise ValueError("days_on must be 1 or more")

    def doses_per_cycle(self, cycle_days: int) -> int:
        if self.kind == "infusion":
            return 1
        return self.days_on if self.days_on is not None else cycle_days


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series(pd.NA, index=frame.index, dtype=object)


_DAY_NS = 86_400 * 10**9


def _ns(values: pd.Series) -> np.ndarray:
    return values.to_numpy().astype("datetime64[ns]").view("int64")


def _flag(values: pd.Series, code: str) -> np.ndarray:
    return values.eq(code).fillna(False).astype(bool).to_numpy()


def _reductions(dose: np.ndarray, interruption: np.ndarray, reduction: np.ndarray,
                starts: np.ndarray) -> np.ndarray:
    """Records flagged ``reduction`` or dosed below the previous dosed record of their group.

    Rows are sorted by group (first rows at ``starts``) and date. Interruptions (flagged
    ``interruption`` or recorded with dose 0) are neither reductions nor the reference for the
    next record.
    """
    n = len(dose)
    with np.errstate(invalid="ignore"):
        dosed = (dose > 0) & ~interruption
    group_start = np.repeat(starts, np.diff(np.r_[starts, n]))
    last_dosed = np.maximum.accumulate(np.where(dosed, np.arange(n), -1))
    prev = np.r_[-1, last_dosed[:-1]]                 # last dosed row strictly before
    has_prev = prev >= group_start
    previous = np.where(has_prev, dose[np.maximum(prev, 0)], np.nan)
    with np.errstate(invalid="ignore"):
        lower = dosed & (dose < previous)
    return lower | reduction


def _cycle_starts(t: pd.DataFrame, gid: np.ndarray, start: np.ndarray,
                  n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """(group, date) of every cycle start, sorted: the first record of each ``cycle`` number,
    or every record of a group without cycle numbers."""
    cyc = _col(t, "cycle")
    has = cyc.notna().to_numpy()
    with_cycles = np.bincount(gid[has], minlength=n_groups) > 0
    numbered = pd.DataFrame({"g": gid[has], "c": cyc.to_numpy()[has], "s": start[has]})
    first = numbered.groupby(["g", "c"], sort=False)["s"].min()
    plain = ~with_cycles[gid]
    g = np.r_[first.index.get_level_values("g").to_numpy(dtype=np.int64), gid[plain]]
    s = np.r_[first.to_numpy(dtype=np.int64), start[plain]]
    order = np.lexsort((s, g))
    return g[order], s[order]


def _exposure_frame(t: pd.DataFrame, sched: dict[str, DrugSchedule], cycle_days: int,
                    delay_days: float, days_per_month: float) -> pd.DataFrame:
    """Per (subject, drug) exposure variables, all groups at once (see the module docstring)."""
    subj, subjects = pd.factorize(t["subject_id"], sort=True)
    drug, drugs = pd.factorize(t["_drug"], sort=True)
    start_all = _ns(t["start_date"])
    order = np.lexsort((start_all, drug, subj))      # stable: ties keep their input order
    t = t.iloc[order]
    key = subj[order].astype(np.int64) * len(drugs) + drug[order]
    gstart = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    n, ng = len(t), len(gstart)
    size = np.diff(np.r_[gstart, n])
    gid = np.repeat(np.arange(ng), size)
    g_drug = drug[order][gstart]  # per group, the schedule of its drug (one per distinct drug)
    plans = [sched[d] for d in drugs]
    cd = np.array([p.cycle_days or cycle_days for p in plans], dtype=np.int64)
    daily = np.array([p.kind == "daily" for p in plans])[g_drug]
    per_cycle = np.array([p.doses_per_cycle(c) for p, c in zip(plans, cd, strict=True)],
                         dtype=np.int64)[g_drug]
    sched_dose = np.array([np.nan if p.dose is None else p.dose for p in plans])[g_drug]
    cd = cd[g_drug]

    start = _ns(t["start_date"])
    end = np.where(t["end_date"].isna().to_numpy(), start, _ns(t["end_date"]))
    days = np.where(daily[gid], (end - start) // _DAY_NS + 1, 1)
    dose = t["dose"].to_numpy(dtype="float64")
    given = dose * days
    cum = np.add.reduceat(np.nan_to_num(given, nan=0.0), gstart)
    cum[np.add.reduceat((~np.isnan(given)).astype(np.int64), gstart) == 0] = np.nan
    first, last = start[gstart], np.maximum.reduceat(end, gstart)
    starting = dose[gstart]
    planned_col = (pd.to_numeric(t["planned_dose"]).to_numpy(dtype="float64")
                   if "planned_dose" in t else np.full(n, np.nan))
    has_planned = ~np.isnan(planned_col)
    first_planned = np.minimum.reduceat(np.where(has_planned, np.arange(n), n), gstart)
    unit = np.where(first_planned < n, planned_col[np.minimum(first_planned, n - 1)],
                    np.where(np.isnan(sched_dose), starting, sched_dose))

    cs_g, cs_date = _cycle_starts(t, gid, start, ng)
    last_cycle = np.full(ng, np.iinfo(np.int64).min)
    np.maximum.at(last_cycle, cs_g, cs_date)
    period = (last_cycle - first) // _DAY_NS + cd
    planned_cum = unit * per_cycle * period / cd
    gap = np.r_[-1, (cs_date[1:] - cs_date[:-1]) // _DAY_NS]
    late = np.r_[False, cs_g[1:] == cs_g[:-1]] & (gap > cd[cs_g] + delay_days)
    change = _col(t, "dose_change")
    flagged = _flag(change, "delay")
    delays = pd.DataFrame({"g": np.r_[cs_g[late], gid[flagged]],
                           "d": np.r_[cs_date[late], start[flagged]]}).drop_duplicates()
    n_delays = np.bincount(delays["g"].to_numpy(dtype=np.int64), minlength=ng)

    interruption = _flag(change, "interruption")
    red = _reductions(dose, interruption, _flag(change, "reduction"), gstart)
    first_red = np.minimum.reduceat(np.where(red, np.arange(n), n), gstart)
    any_red = first_red < n
    reason = _col(t, "dose_change_reason").to_numpy(dtype=object)
    cyc = _col(t, "cycle")
    n_cycles = np.where(np.add.reduceat(cyc.notna().to_numpy().astype(np.int64), gstart) > 0,
                        cyc.groupby(gid).nunique().to_numpy(), size)
    duration = (last - first) // _DAY_NS + 1
    with np.errstate(divide="ignore", invalid="ignore"):
        rdi = np.where(planned_cum > 0, cum / planned_cum, np.nan)
    first_red_date = np.where(any_red, start[np.minimum(first_red, n - 1)],
                              np.iinfo(np.int64).min)
    first_reason = np.where(any_red, reason[np.minimum(first_red, n - 1)], None)
    interrupted = interruption | (dose == 0)
    drug_name = t["drug"].to_numpy(dtype=object)
    # the drug as spelled in the group's first record in input order
    first_input = np.minimum.reduceat(order, gstart)
    return pd.DataFrame({
        "subject_id": pd.Series(subjects.to_numpy(dtype=object)[subj[order][gstart]],
                                dtype=object),
        "drug": pd.Series(drug_name[np.argsort(order)][first_input], dtype=object),
        "n_cycles": n_cycles.astype(np.int64),
        "first_dose_date": first.view("datetime64[ns]"),
        "last_dose_date": last.view("datetime64[ns]"),
        "treatment_duration_days": duration.astype(np.int64),
        "treatment_duration_months": duration / days_per_month,
        "cumulative_dose": cum, "planned_cumulative_dose": planned_cum,
        "relative_dose_intensity": rdi, "starting_dose": starting, "planned_dose": unit,
        "n_dose_reductions": np.add.reduceat(red.astype(np.int64), gstart),
        "first_reduction_date": first_red_date.view("datetime64[ns]"),
        "first_reduction_reason": pd.Series(first_reason, dtype=object),
        "n_delays": n_delays.astype(np.int64),
        "n_interruptions": np.add.reduceat(interrupted.astype(np.int64), gstart),
        "interruption_reasons": _reasons(gid[interrupted], reason[interrupted], ng),
    })


def _reasons(gid: np.ndarray, reason: np.ndarray, n_groups: int) -> pd.Series:
    """Per group, its distinct non-empty reasons in row (date) order joined by ``"; "``."""
    codes, distinct = pd.factorize(np.asarray(reason, dtype=object))
    stripped = np.array([r.strip() if isinstance(r, str) and r.strip() else None
                         for r in distinct] + [None], dtype=object)  # code -1: missing
    found = pd.DataFrame({"g": gid, "r": stripped[codes]}).dropna().drop_duplicates()
    g = found["g"].to_numpy(dtype=np.int64)
    order = np.argsort(g, kind="stable")  # row order kept within a group
    g, text = g[order], found["r"].to_numpy(dtype=object)[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if len(g) else np.empty(0, int)
    counts = np.diff(np.r_[starts, len(g)])
    out = np.full(n_groups, None, dtype=object)
    one = counts == 1  # most groups: the reason itself
    out[g[starts[one]]] = text[starts[one]]
    for start, count in zip(starts[~one], counts[~one], strict=True):
        out[g[start]] = "; ".join(text[start:start + count])
    return pd.Series(out, dtype=object)


def _ae_names(reasons: pd.Series, reason_ae: Callable[[str], str | None] | None) -> pd.Series:
    """The reasons (``"; "``-joined) that name an adverse event, by ``reason_ae``."""
    if reason_ae is None:
        return pd.Series([None] * len(reasons), index=reasons.index, dtype=object)
    cache: dict[str, str | None] = {}

    def names(value: object) -> str | None:
        if not isinstance(value, str):
            return None
        if value not in cache:
            hits = [reason_ae(part) for part in value.split("; ")]
            cache[value] = "; ".join(dict.fromkeys(h for h in hits if h)) or None
        return cache[value]

    return reasons.map(names).astype(object)


def _datetime(values: pd.Series) -> pd.Series:
    """``pd.to_datetime``, skipped when already datetime64 (it is slow even then)."""
    return values if values.dtype.kind == "M" else pd.to_datetime(values)


def _on_treatment(patients: pd.DataFrame, cutoff: pd.Series) -> pd.Series:
    eot = _datetime(_col(patients, "eot_date"))
    death = _datetime(_col(patients, "death_date"))
    open_ = eot.isna() | (cutoff.notna() & (eot > cutoff))
    alive = death.isna() | (cutoff.notna() & (death > cutoff))
    return (open_ & alive).astype(bool)


def derive_exposure(
    therapy: pd.DataFrame,
    patients: pd.DataFrame,
    *,
    regimen: Mapping[str, DrugSchedule],
    cycle_days: int = 21,
    delay_days: float = 7,
    days_per_month: float = 30.4375,
    data_cutoff: pd.Timestamp | str | None = None,
    reason_ae: Callable[[str], str | None] | None = None,
) -> pd.DataFrame:
    """Exposure per subject and drug of ``regimen`` (definitions in the module docstring).

    Parameters
    ----------
    therapy
        Canonical ``therapy`` table (``subject_id``, ``drug``, ``start_date``, ``dose``; optional
        ``end_date``, ``cycle``, ``planned_dose``, ``dose_change``, ``dose_change_reason``).
        Drug names are matched to ``regimen`` ignoring case; other drugs are ignored.
    patients
        Canonical ``patients`` table (``subject_id``; ``eot_date``, ``eot_reason``,
        ``death_date``, ``data_cutoff`` used when present).
    regimen
        Drug name -> :class:`DrugSchedule`, e.g. ``{"anlotinib": DrugSchedule("daily", 12,
        days_on=14), "tislelizumab": DrugSchedule("infusion", 200)}``.
    cycle_days
        Default cycle length (days), for drugs whose schedule gives none.
    delay_days
        Days late over the cycle length that make a cycle start a delay.
    days_per_month
        For ``treatment_duration_months``.
    data_cutoff
        Study cut-off, where ``patients.data_cutoff`` is empty.
    reason_ae
        A recorded dose-change reason -> the adverse event it names, as the safety tables
        name it, or ``None`` (:func:`oncocohort.derive.safety.reason_ae_name`); without it
        ``first_reduction_ae`` and ``interruption_aes`` are empty.

    Returns
    -------
    pandas.DataFrame
        :data:`EXPOSURE_COLUMNS`, one row per subject and regimen drug received, sorted by
        subject and drug.

    Examples
    --------
    >>> t = pd.DataFrame({"subject_id": ["1"] * 2, "drug": ["anlotinib"] * 2,
    ...     "start_date": pd.to_datetime(["2024-01-01", "2024-01-22"]),
    ...     "end_date": pd.to_datetime(["2024-01-14", "2024-02-04"]), "dose": [12.0, 12.0]})
    >>> p = pd.DataFrame({"subject_id": ["1"], "eot_date": [pd.NaT]})
    >>> e = derive_exposure(t, p, regimen={"anlotinib": DrugSchedule("daily", 12, days_on=14)})
    >>> float(e.relative_dose_intensity[0]), float(e.cumulative_dose[0])
    (1.0, 336.0)
    """
    require_columns(therapy, ["subject_id", "drug", "start_date", "dose"], "therapy")
    require_columns(patients, ["subject_id"], "patients")
    sched = {k.casefold(): v for k, v in regimen.items()}
    codes, names = pd.factorize(therapy["drug"], use_na_sentinel=False)
    folded = np.array([str(name).casefold() for name in names], dtype=object)
    mine = np.isin(folded, list(sched))[codes]  # casefold each distinct name once
    t = therapy.loc[mine]
    t = t.assign(subject_id=t["subject_id"].astype(str), _drug=folded[codes[mine]],
                 start_date=_datetime(t["start_date"]), end_date=_datetime(_col(t, "end_date")))
    if t["start_date"].isna().any():
        bad = sorted(t.loc[t["start_date"].isna(), "subject_id"].unique())
        raise DeriveDataError(f"therapy records without start_date for subject(s) "
                              f"{', '.join(bad)}", code="missing_value")
    pat = index_patients(patients)
    check_known_subjects(t["subject_id"], pat.index, "therapy")
    cutoff = _datetime(_col(pat, "data_cutoff"))
    if data_cutoff is not None:
        cutoff = cutoff.fillna(pd.Timestamp(data_cutoff))
    on_tx = _on_treatment(pat, cutoff)
    if len(t) == 0:
        return pd.DataFrame([], columns=list(EXPOSURE_COLUMNS))
    out = _exposure_frame(t, sched, cycle_days, delay_days, days_per_month)
    out["first_reduction_ae"] = _ae_names(out["first_reduction_reason"], reason_ae)
    out["interruption_aes"] = _ae_names(out["interruption_reasons"], reason_ae)
    out["eot_reason"] = _col(pat, "eot_reason").reindex(out["subject_id"]).to_numpy(dtype=object)
    out["on_treatment_at_cutoff"] = on_tx.reindex(out["subject_id"]).to_numpy(dtype=bool)
    return out.loc[:, list(EXPOSURE_COLUMNS)]


def derive_prior_therapy(
    therapy_lines: pd.DataFrame,
    patients: pd.DataFrame,
    *,
    days_per_month: float = 30.4375,
) -> pd.DataFrame:
    """Prior anticancer therapy per subject, from ``therapy_lines`` rows with ``setting ==
    "prior"``.

    ``n_prior_lines`` counts distinct ``line`` numbers; ``prior_ici``/``prior_taxane``/
    ``prior_platinum``/``prior_targeted`` are ``"Y"``/``"N"`` from ``drug_class`` (``ICI``,
    ``taxane``, ``platinum``, ``targeted`` or ``anti-angiogenic``); ``last_prior_ici_date``
    is the latest ``end_date`` (``start_date`` where empty) of a prior ICI;
    ``ici_free_interval_days = index_date - last_prior_ici_date`` (a plain difference: a
    re-challenge the day after the last dose is 1 day), ``_months`` divides by
    ``days_per_month``. Every patient gets a row (0 lines, ``"N"`` when none).
    """
    require_columns(therapy_lines, ["subject_id", "setting", "line", "drug_class"], "therapy_lines")
    require_columns(patients, ["subject_id", "index_date"], "patients")
    pat = patients.assign(subject_id=patients["subject_id"].astype(str))
    subjects = pd.Index(pat["subject_id"])
    prior = therapy_lines[therapy_lines["setting"] == "prior"].assign(
        subject_id=lambda f: f["subject_id"].astype(str))
    by = prior.groupby("subject_id")
    out = pd.DataFrame({"subject_id": subjects})
    out["n_prior_lines"] = by["line"].nunique().reindex(subjects).fillna(0).astype(int).to_numpy()
    classes = {"prior_ici": ("ICI",), "prior_taxane": ("taxane",),
               "prior_platinum": ("platinum",), "prior_targeted": ("targeted", "anti-angiogenic")}
    for col, names in classes.items():
        has = prior.loc[prior["drug_class"].isin(names), "subject_id"].unique()
        out[col] = np.where(subjects.isin(has), "Y", "N")
    ici = prior[prior["drug_class"] == "ICI"]
    last = _datetime(_col(ici, "end_date")).fillna(_datetime(_col(ici, "start_date")))
    last_ici = last.groupby(ici["subject_id"]).max().reindex(subjects)
    out["last_prior_ici_date"] = last_ici.to_numpy().astype("datetime64[ns]")
    gap = (_datetime(pat["index_date"]).to_numpy() - out["last_prior_ici_date"]).dt.days
    out["ici_free_interval_days"] = gap.astype("float64")
    out["ici_free_interval_months"] = gap / days_per_month
    return out[list(PRIOR_COLUMNS)]
