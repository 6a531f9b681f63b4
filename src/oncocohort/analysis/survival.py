"""Time-to-event summaries per endpoint as ARD rows, with the Kaplan-Meier fits kept for figures.

Per endpoint (one ``paramcd`` of the stacked ``tte`` frame): ``n`` patients, ``events``,
``maturity`` (100 x events / n, %), the median and its interval (Brookmeyer & Crowley 1982 on
the spec's ``km_conf_type`` scale, R ``survfit`` default ``log-log`` here), survival at each
landmark time with its pointwise interval (in %; NaN for a landmark after the last observed
time, where R ``summary(fit, times, extend = TRUE)`` would carry the last value forward), and
the median follow-up by the reverse Kaplan-Meier method (Schemper & Smith 1996) with the range
of observed times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from oncocohort.analysis.ard import ArdRow
from oncocohort.stats.kaplan_meier import KaplanMeier, follow_up, kaplan_meier

__all__ = ["EndpointFit", "compute_endpoint_fit", "compute_survival_rows", "landmark_text"]


@dataclass(frozen=True)
class EndpointFit:
    """One endpoint's Kaplan-Meier fit and the ARD rows describing it."""

    endpoint: str
    label: str
    unit: str
    km: KaplanMeier
    rows: tuple[ArdRow, ...]


def landmark_text(t: float) -> str:
    """A landmark time as an ARD category: ``12`` for 12.0, ``6.5`` for 6.5."""
    return str(int(t)) if float(t).is_integer() else f"{t:g}"


def _one(frame: pd.DataFrame, endpoint: str) -> pd.DataFrame:
    sub = frame.loc[frame["paramcd"] == endpoint]
    if sub.empty:
        raise ValueError(f"endpoint {endpoint!r} has no rows in the time-to-event data")
    if sub["subject_id"].duplicated().any():
        raise ValueError(f"endpoint {endpoint!r} has several rows for one subject")
    return sub


def compute_survival_rows(
    time: np.ndarray,
    event: np.ndarray,
    *,
    endpoint: str,
    unit: str,
    landmarks: Sequence[float] = (),
    conf_type: str = "log-log",
    conf_level: float = 0.95,
    group_var: str = "",
    group_level: str = "",
    analysis: str = "survival",
    with_follow_up: bool = True,
) -> tuple[KaplanMeier, list[ArdRow]]:
    """Kaplan-Meier fit and its summary rows for one set of subjects."""
    time = np.asarray(time, float)
    event = np.asarray(event).astype(bool)
    km = kaplan_meier(time, event, conf_type=conf_type, conf_level=conf_level)
    where = {"endpoint": endpoint, "group_var": group_var, "group_level": group_level}
    n, d = float(time.size), float(event.sum())
    rows = [ArdRow(analysis, "n", n, variable="patients", **where),
            ArdRow(analysis, "n", d, variable="events", **where),
            ArdRow(analysis, "pct", 100.0 * d / n, variable="maturity", unit="%", **where)]
    med = km.median
    for stat, v in (("median", med.estimate), ("lower", med.lower), ("upper", med.upper)):
        rows.append(ArdRow(analysis, stat, v, variable="median", unit=unit, **where))
    if landmarks:
        at = km.survival_at(list(landmarks))
        last = float(time.max()) if time.size else float("nan")
        for r in at.itertuples():
            cat = landmark_text(r.time)
            for stat, v in (("pct", r.survival), ("lower", r.lower), ("upper", r.upper)):
                # beyond the last observed time the curve is unknown, not flat: NaN
                v = 100.0 * v if r.time <= last else float("nan")
                rows.append(ArdRow(analysis, stat, v, variable="landmark", category=cat,
                                   unit="%", **where))
            rows.append(ArdRow(analysis, "n_at_risk", float(r.n_at_risk), variable="landmark",
                               category=cat, **where))
    if with_follow_up:
        fu = follow_up(time, event, conf_type=conf_type, conf_level=conf_level)
        for stat, v in (("median", fu.estimate), ("lower", fu.lower), ("upper", fu.upper),
                        ("min", float(time.min())), ("max", float(time.max()))):
            rows.append(ArdRow(analysis, stat, v, variable="follow_up", unit=unit, **where))
    return km, rows


def compute_endpoint_fit(
    tte: pd.DataFrame,
    endpoint: str,
    *,
    landmarks: Sequence[float] = (),
    conf_type: str = "log-log",
    conf_level: float = 0.95,
) -> EndpointFit:
    """Fit one endpoint of the stacked ``tte`` frame (``paramcd``, ``aval``, ``event``)."""
    sub = _one(tte, endpoint)
    unit = str(sub["unit"].iloc[0]) if "unit" in sub else ""
    label = str(sub["param"].iloc[0]) if "param" in sub else endpoint
    km, rows = compute_survival_rows(
        sub["aval"].to_numpy(float), sub["event"].to_numpy(int), endpoint=endpoint, unit=unit,
        landmarks=landmarks, conf_type=conf_type, conf_level=conf_level)
    return EndpointFit(endpoint, label, unit, km, tuple(rows))
