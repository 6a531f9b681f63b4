"""Individual patient data rebuilt from a published Kaplan-Meier figure (Guyot et al. 2012).

``reconstruct_ipd`` takes the digitised curve and the published numbers at risk and returns
one row per patient (time, event) whose Kaplan-Meier curve follows the figure and whose
numbers at risk equal the published ones; ``reconstruction_qc`` compares the two.

The algorithm is that of Guyot, Ades, Ouwens & Welton (2012), with these changes:

1. **Monotone clean-up** by isotonic regression (pool-adjacent-violators): digitised points
   sorted by time, survival read above 1 (a reader may read up to 1.005) set to 1, then the
   closest non-increasing curve in least squares. (A running minimum, the usual fix, carries
   every downward reading error forward and biases a noisy curve low.) Before the pooling,
   corners read out of order are put back: each corner of a drop is read with its own error
   in time, so the bottom of a drop is often placed a little before its top; a reading more
   than 0.01 above the one just before it (twice the reading error in survival, so not two
   readings of one level) and at most 2 % of the time later (two readings of one time, each
   within 1 %) is swapped with it. Pooled instead, the two corners would average into two
   half-drops, and rounding would send half a death to the next drop.
2. **Censoring spread evenly** over each at-risk interval [r_i, r_i+1): the C_i censoring
   times are r_i + j (r_i+1 - r_i)/(C_i + 1), j = 1..C_i.
3. **Deaths capped by the at-risk table.** In interval i the patients who leave, L_i = n_i -
   n_i+1, are deaths plus censorings: D_i + C_i = L_i exactly. Deaths at each digitised point
   k follow the curve's drop, d_k = round(n_k (1 - S_k / Ŝ_k-1)) with n_k the patients still
   at risk and Ŝ the reconstructed curve so far (Guyot's self-correcting form), and C_i is the
   smallest number of censorings for which the deaths so implied reach L_i - C_i; the deaths
   are then capped at L_i - C_i. Without the cap, plain Guyot lets the deaths overrun where
   nobody is censored and drifts 2-3 patients off the table.
4. **After the last at-risk time** (n_m patients left): with ``total_events`` the deaths there
   are the events not yet placed (0..n_m) and the censorings the most the curve allows; if
   the total is still missed, one death at a time is moved between death and censoring in
   the interval where the rebuilt curve departs least from the digitised one, and only where
   every at-risk interval still loses exactly its L_i patients (fewer censorings than the
   curve's drops need would leave a death unplaced: a patient lost). The constraint is
   approached as closely as the curve permits, not forced (the QC record reports any
   difference). Without it, Guyot's assumption: censoring continues at its
   average rate so far (censorings per unit time), deaths follow the curve. Patients still at
   risk at the curve's last time are censored there.

References
----------
Guyot P, Ades AE, Ouwens MJNM, Welton NJ (2012). Enhanced secondary analysis of survival
data: reconstructing the data from published Kaplan-Meier survival curves. BMC Med Res
Methodol 12:9.
Liu N, Zhou Y, Lee JJ (2021). IPDfromKM: reconstruct individual patient data from published
Kaplan-Meier survival curves. BMC Med Res Methodol 21:111.
Barlow RE, Bartholomew DJ, Bremner JM, Brunk HD (1972). Statistical Inference under Order
Restrictions. Wiley (pool-adjacent-violators).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from oncocohort.stats.kaplan_meier import kaplan_meier

__all__ = ["ReconstructionQC", "reconstruct_ipd", "reconstruction_qc"]

# survival read a little above 1 is reading noise; beyond this it is a wrong scale (percent?)
_S_MAX = 1.05
# corners of one drop read out of order: survival higher by more than twice the reading error
# (+-0.005) and time later by at most twice the reading error (+-1 % of the time)
_FLIP_GAP = 0.01
_FLIP_TIME = 0.02


# ----------------------------------------------------------------------------- inputs


def _pava_decreasing(y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Least-squares non-increasing fit (pool adjacent violators, equal weights)."""
    values: list[float] = []
    sizes: list[int] = []
    for v in y.tolist():
        values.append(v)
        sizes.append(1)
        while len(values) > 1 and values[-2] < values[-1]:  # an increase: pool the two blocks
            n = sizes[-2] + sizes[-1]
            m = (values[-2] * sizes[-2] + values[-1] * sizes[-1]) / n
            values[-2:] = [m]
            sizes[-2:] = [n]
    return np.repeat(values, sizes)


def _swap_flipped_corners(t: NDArray[np.float64], s: NDArray[np.float64]) -> NDArray[np.float64]:
    """Survival values of time-sorted points with flipped corners put back in order.

    A reading more than ``_FLIP_GAP`` above the one just before it, and at most ``_FLIP_TIME``
    (relative) later, is the top corner of a drop read after its bottom corner: the two
    survival values are swapped (the times stay sorted), repeatedly until none is left. Each
    swap removes one inversion, so this ends.
    """
    s = s.copy()
    changed = True
    while changed:
        changed = False
        for i in range(len(s) - 1):
            if s[i + 1] > s[i] + _FLIP_GAP and t[i + 1] - t[i] <= _FLIP_TIME * t[i + 1]:
                s[i], s[i + 1] = s[i + 1], s[i]
                changed = True
    return s


def clean_curve(curve: pd.DataFrame) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Digitised points -> (time, survival): sorted, S(0) = 1, at most 1, non-increasing.

    Points are sorted by time (ties: higher survival first, the top corner of a step before
    its bottom one); a reading more than 0.01 above the one just before it and at most 2 % of
    the time later is swapped with it (the corners of a drop read out of order); a point
    (0, 1) is put first; survival is clipped to [0, 1] and made non-increasing by isotonic
    regression.
    """
    if not isinstance(curve, pd.DataFrame):
        raise TypeError("curve must be a DataFrame with columns time, survival")
    missing = [c for c in ("time", "survival") if c not in curve.columns]
    if missing:
        raise ValueError(f"curve is missing column(s) {missing}; it needs time, survival")
    t = pd.to_numeric(curve["time"], errors="coerce").to_numpy(dtype=float)
    s = pd.to_numeric(curve["survival"], errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(t) & np.isfinite(s))
    if bad.any():
        rows = ", ".join(str(i + 1) for i in np.flatnonzero(bad)[:5])
        raise ValueError(f"curve has missing or non-numeric values (row(s) {rows})")
    if len(t) == 0:
        raise ValueError("curve has no points")
    if (t < 0).any():
        raise ValueError("curve times must be >= 0")
    if s.max() > _S_MAX:
        hint = " (given in percent? divide by 100)" if s.max() > 1.5 else ""
        raise ValueError(f"curve survival goes up to {s.max():g}: it must be a fraction{hint}")
    if s.min() < -0.05:
        raise ValueError(f"curve survival goes down to {s.min():g}: it must be >= 0")
    order = np.lexsort((-s, t))
    t, s = t[order], s[order]
    s = _swap_flipped_corners(t, s)
    t = np.concatenate([[0.0], t])
    s = np.concatenate([[1.0], np.clip(s, 0.0, 1.0)])
    s[t == 0] = 1.0
    return t, _pava_decreasing(s)


def _check_at_risk(at_risk: pd.DataFrame) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    if not isinstance(at_risk, pd.DataFrame):
        raise TypeError("at_risk must be a DataFrame with columns time, n_at_risk")
    missing = [c for c in ("time", "n_at_risk") if c not in at_risk.columns]
    if missing:
        raise ValueError(f"at_risk is missing column(s) {missing}; it needs time, n_at_risk")
    tab = at_risk[["time", "n_at_risk"]].apply(pd.to_numeric, errors="coerce")
    if tab.isna().any().any():
        raise ValueError("at_risk has missing or non-numeric values")
    tab = tab.sort_values("time", kind="stable")
    r = tab["time"].to_numpy(dtype=float)
    n = tab["n_at_risk"].to_numpy(dtype=float)
    if r[0] != 0:
        raise ValueError("at_risk must start at time 0 (the number of patients)")
    if (np.diff(r) == 0).any():
        raise ValueError("at_risk lists a time more than once")
    if (n != np.round(n)).any() or (n < 0).any():
        raise ValueError("at_risk numbers must be whole numbers >= 0")
    if (np.diff(n) > 0).any():
        raise ValueError("at_risk numbers must not increase over time")
    if n[0] < 1:
        raise ValueError("at_risk at time 0 must be at least 1")
    return r, n.astype(np.int64)


# ----------------------------------------------------------------------------- kernel


def _round(x: float) -> int:
    return int(math.floor(x + 0.5))


def _deaths(ts, ss, n_start, s_hat, cens, cap):
    """Deaths at each point of one interval given its censoring times (sorted).

    Returns (deaths per point, reconstructed S after the interval, deaths total).
    """
    n = n_start
    ci = 0
    total = 0
    out = []
    for tk, sk in zip(ts, ss, strict=True):
        while ci < len(cens) and cens[ci] < tk:  # censored before this time: not at risk
            n -= 1
            ci += 1
        d = 0
        if n > 0 and s_hat > 0:
            d = min(max(_round(n * (1.0 - sk / s_hat)), 0), n)
            if cap is not None:
                d = min(d, cap - total)
        if d > 0:
            s_hat *= 1.0 - d / n
            n -= d
            total += d
        out.append(d)
    return out, s_hat, total


def _spread(start: float, end: float, count: int) -> list[float]:
    if count <= 0:
        return []
    return [start + (end - start) * j / (count + 1) for j in range(1, count + 1)]


def _min_censoring(ts, ss, n_start, leave, s_hat, start, end) -> int:
    """The fewest censorings c for which the curve's deaths reach ``leave - c``."""
    for c in range(leave + 1):
        _, _, d_unc = _deaths(ts, ss, n_start, s_hat, _spread(start, end, c), None)
        if d_unc + c >= leave:
            return c
    return leave


def _last_censoring(ts, ss, n_start, s_hat, start, end, target, rate) -> tuple[int, int]:
    """(censorings, death cap) after the last at-risk time: the most censoring for which the
    curve still gives ``target`` deaths, or censoring at ``rate`` per unit time."""
    if target is None:
        c = min(_round(rate * (end - start)), n_start)
        return c, n_start - c
    d_target = min(max(target, 0), n_start)
    for c in range(n_start - d_target, -1, -1):
        _, _, d_unc = _deaths(ts, ss, n_start, s_hat, _spread(start, end, c), None)
        if d_unc >= d_target:
            return c, d_target
    return 0, d_target


@dataclass(frozen=True)
class _Interval:
    ts: list  # digitised times in the interval
    ss: list  # cleaned survival there
    n_start: int
    leave: int | None  # None: the last interval (after the last at-risk time)
    start: float
    end: float


def _intervals(t, s, r, n) -> list[_Interval]:
    curve_end = float(t[-1])
    which = np.searchsorted(r, t, side="right") - 1  # at-risk interval of each point
    out = []
    for i in range(len(r)):
        if n[i] == 0:
            break
        idx = np.flatnonzero(which == i)
        last = i + 1 == len(r)
        end = max(curve_end, float(r[i])) if last else min(float(r[i + 1]), max(curve_end, r[i]))
        out.append(
            _Interval(t[idx].tolist(), s[idx].tolist(), int(n[i]),
                      None if last else int(n[i] - n[i + 1]), float(r[i]), float(end))
        )
    return out


def _run(intervals: list[_Interval], plan: list[tuple[int, int]]):
    """Deaths and censorings for given (censorings, death cap) per interval, the squared
    distance between the rebuilt curve and the digitised one at the digitised points, and
    whether every at-risk interval loses exactly its ``leave`` patients (deaths + censorings;
    a plan with fewer censorings than the curve needs leaves deaths under their cap and loses
    patients)."""
    s_hat = 1.0
    events: list[float] = []
    cens_all: list[float] = []
    sse = 0.0
    balanced = True
    for iv, (c, cap) in zip(intervals, plan, strict=True):
        cens = _spread(iv.start, iv.end, c)
        deaths, _, total = _deaths(iv.ts, iv.ss, iv.n_start, s_hat, cens, cap)
        n = iv.n_start
        ci = 0
        for tk, sk, d in zip(iv.ts, iv.ss, deaths, strict=True):
            while ci < len(cens) and cens[ci] < tk:
                n -= 1
                ci += 1
            if d:
                s_hat *= 1.0 - d / n
                n -= d
            sse += (s_hat - sk) ** 2
            events += [tk] * d
        cens_all += cens
        if iv.leave is None:  # whoever is left is censored at the end of the curve
            cens_all += [iv.end] * (iv.n_start - total - len(cens))
        elif total + len(cens) != iv.leave:
            balanced = False
    return events, cens_all, sse, balanced


def _initial_plan(intervals, total_events):
    """Interval by interval: the fewest censorings (then the last interval's rule)."""
    plan = []
    s_hat = 1.0
    placed = 0
    censored = 0
    for iv in intervals:
        if iv.leave is not None:
            c = _min_censoring(iv.ts, iv.ss, iv.n_start, iv.leave, s_hat, iv.start, iv.end)
            cap = iv.leave - c
            censored += c
        else:
            target = None if total_events is None else total_events - placed
            rate = censored / iv.start if iv.start > 0 else 0.0
            c, cap = _last_censoring(iv.ts, iv.ss, iv.n_start, s_hat, iv.start, iv.end, target,
                                     rate)
        deaths, s_hat, total = _deaths(iv.ts, iv.ss, iv.n_start, s_hat,
                                       _spread(iv.start, iv.end, c), cap)
        placed += total
        plan.append((c, cap))
    return plan


def _towards_total(intervals, plan, total_events):
    """Move one death at a time between death and censoring, in the interval where the
    curve suffers least, until the total is met or no interval can move."""
    events, _, _, _ = _run(intervals, plan)
    gap = total_events - len(events)
    while gap != 0:
        step = -1 if gap > 0 else 1  # too few deaths: fewer censorings, and vice versa
        best = None
        for k, iv in enumerate(intervals):
            c, cap = plan[k]
            if iv.leave is None:
                size = iv.n_start
                if not 0 <= cap - step <= size - c:
                    continue
                trial = plan[:k] + [(c, cap - step)] + plan[k + 1:]
            else:
                if not 0 <= c + step <= iv.leave:
                    continue
                trial = plan[:k] + [(c + step, iv.leave - c - step)] + plan[k + 1:]
            ev, _, sse, balanced = _run(intervals, trial)
            if not balanced:  # the curve would leave deaths under their cap: a patient lost
                continue
            if abs(total_events - len(ev)) < abs(gap) and (best is None or sse < best[0]):
                best = (sse, trial, total_events - len(ev))
        if best is None:
            break
        _, plan, gap = best
    return plan


def reconstruct_ipd(
    curve: pd.DataFrame,
    at_risk: pd.DataFrame,
    *,
    total_events: int | None = None,
) -> pd.DataFrame:
    """Rebuild individual patient data from a digitised Kaplan-Meier curve and its risk table.

    See the module docstring for the algorithm (Guyot et al. 2012 with a monotone clean-up,
    censoring spread evenly within each at-risk interval, deaths per interval capped by the
    at-risk table, and the total number of events approached when given).

    Parameters
    ----------
    curve
        Points read off the figure: columns ``time`` and ``survival`` (a fraction, read up to
        1.05), in any order, with reading noise. Read every corner of the steps (the top and
        the bottom of each drop) and the end of the curve, as a careful reader would.
    at_risk
        The published numbers at risk: columns ``time`` (starting at 0) and ``n_at_risk``.
    total_events
        The published total number of events, if reported.

    Returns
    -------
    DataFrame
        ``time`` (float) and ``event`` (1 = event, 0 = censored), one row per patient (as
        many as at risk at time 0), sorted by time. Check it with :func:`reconstruction_qc`.

    Notes
    -----
    R ``IPDfromKM::getIPD`` (Liu et al. 2021), the ``reconstructKM`` package and Guyot's
    published R code; Stata ``ipdfc`` (Wei & Royston 2017). No SAS or SPSS procedure.
    """
    t, s = clean_curve(curve)
    r, n = _check_at_risk(at_risk)
    if total_events is not None and (
        isinstance(total_events, bool) or not isinstance(total_events, Integral)
        or not 0 <= total_events <= n[0]
    ):
        raise ValueError(f"total_events must be a whole number in 0..{n[0]}, got {total_events!r}")
    intervals = _intervals(t, s, r, n)
    plan = _initial_plan(intervals, None if total_events is None else int(total_events))
    if total_events is not None:
        plan = _towards_total(intervals, plan, int(total_events))
    events, cens, _, _ = _run(intervals, plan)
    out = pd.DataFrame(
        {
            "time": np.array(events + cens, dtype=float),
            "event": np.array([1] * len(events) + [0] * len(cens), dtype=np.int64),
        }
    )
    return out.sort_values(["time", "event"], ascending=[True, False], kind="stable").reset_index(
        drop=True
    )


# ----------------------------------------------------------------------------- QC


@dataclass(frozen=True, eq=False)  # holds DataFrames: compare fields, not objects
class ReconstructionQC:
    """Result of :func:`reconstruction_qc`.

    Attributes
    ----------
    at_risk
        ``time, published, reconstructed, difference`` at every published at-risk time
        (reconstructed: patients with time >= t).
    landmarks
        ``time, digitised, reconstructed, difference``: survival read off the cleaned
        digitised curve (step function) and the Kaplan-Meier curve of the rebuilt data.
    median_digitised, median_reconstructed
        Median survival of the two curves (NaN if not reached).
    total_events_published, total_events_reconstructed
        NaN when the publication gives no total.
    """

    at_risk: pd.DataFrame = field(repr=False)
    landmarks: pd.DataFrame = field(repr=False)
    median_digitised: float
    median_reconstructed: float
    total_events_published: float
    total_events_reconstructed: int

    @property
    def max_at_risk_difference(self) -> int:
        """Largest absolute difference in the numbers at risk."""
        return int(self.at_risk["difference"].abs().max())

    def to_frame(self) -> pd.DataFrame:
        """Long: ``quantity, time, published, reconstructed, difference`` (published =
        digitised for survival and the median)."""
        rows = [
            ("n_at_risk", r.time, r.published, r.reconstructed) for r in self.at_risk.itertuples()
        ]
        rows += [
            ("survival", r.time, r.digitised, r.reconstructed) for r in self.landmarks.itertuples()
        ]
        rows.append(("median", np.nan, self.median_digitised, self.median_reconstructed))
        rows.append(
            ("total_events", np.nan, self.total_events_published, self.total_events_reconstructed)
        )
        out = pd.DataFrame(rows, columns=["quantity", "time", "published", "reconstructed"])
        out = out.astype({"published": float, "reconstructed": float})
        out["difference"] = out["reconstructed"] - out["published"]
        return out


def _step_value(t: NDArray, s: NDArray, x: NDArray) -> NDArray:
    return s[np.searchsorted(t, x, side="right") - 1]


def reconstruction_qc(
    ipd: pd.DataFrame,
    curve: pd.DataFrame,
    at_risk: pd.DataFrame,
    *,
    total_events: int | None = None,
    landmarks=None,
) -> ReconstructionQC:
    """Compare rebuilt data with what was published: numbers at risk, survival, median, events.

    Parameters
    ----------
    ipd
        The output of :func:`reconstruct_ipd` (columns ``time``, ``event``).
    curve, at_risk, total_events
        The inputs given to :func:`reconstruct_ipd`.
    landmarks
        Times at which to compare survival; default: the at-risk times after 0 that lie
        within the curve.

    Returns
    -------
    ReconstructionQC
    """
    t, s = clean_curve(curve)
    r, n = _check_at_risk(at_risk)
    times = ipd["time"].to_numpy(dtype=float)
    recon_n = np.array([(times >= x).sum() for x in r], dtype=np.int64)
    risk = pd.DataFrame(
        {"time": r, "published": n, "reconstructed": recon_n, "difference": recon_n - n}
    )
    km = kaplan_meier(times, ipd["event"].to_numpy())
    lm = (
        r[(r > 0) & (r <= t[-1])]
        if landmarks is None
        else np.sort(np.asarray(landmarks, dtype=float).ravel())
    )
    dig = _step_value(t, s, lm)
    rec = km.survival_at(lm)["survival"].to_numpy(dtype=float) if lm.size else np.array([])
    marks = pd.DataFrame(
        {"time": lm, "digitised": dig, "reconstructed": rec, "difference": rec - dig}
    )
    below = np.flatnonzero(s <= 0.5)
    median_dig = float(t[below[0]]) if below.size else float("nan")
    return ReconstructionQC(
        at_risk=risk,
        landmarks=marks,
        median_digitised=median_dig,
        median_reconstructed=float(km.median.estimate),
        total_events_published=float("nan") if total_events is None else float(total_events),
        total_events_reconstructed=int(ipd["event"].sum()),
    )
