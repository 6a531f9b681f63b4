"""Round trip of the Kaplan-Meier reconstruction on R survival data sets (shared by the tests
and by the accuracy table in docs/statistics.md).

The original curves come from ``tests/reference/reconstruct.R``. A careful reader is simulated:
every step corner of the original curve (the top and the bottom of each drop) and the end of
the curve are read with uniform noise of +-0.005 in survival and +-1 % of the time; the curve
and the published numbers at risk are given to ``reconstruct_ipd``; the rebuilt data are
compared with the originals.

Run ``python tests/_reconstruct_roundtrip.py [n_seeds]`` for the accuracy table.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from oncocohort.stats import cox, kaplan_meier, reconstruct_ipd
from oncocohort.stats.reconstruct import clean_curve

FIXTURES = Path(__file__).resolve().parent / "reference" / "fixtures"
DATASETS = ("lung", "lung_sex", "veteran", "colon")
DAYS_12M = 365.25
S_NOISE = 0.005
T_NOISE = 0.01


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / name, keep_default_na=False, na_values=["NA"],
                       float_precision="round_trip")


KM = _read("reconstruct_km.csv")
AT_RISK = _read("reconstruct_at_risk.csv")
SUMMARY = _read("reconstruct_summary.csv")


def arms(dataset: str) -> list[str]:
    return list(dict.fromkeys(SUMMARY.loc[SUMMARY.dataset == dataset, "arm"]))


def corners(dataset: str, arm: str) -> pd.DataFrame:
    """The exact step corners of the original curve (no noise)."""
    km = KM[(KM.dataset == dataset) & (KM.arm == arm)]
    t = km.time.to_numpy(dtype=float)
    s = km.surv.to_numpy(dtype=float)
    ev = km.n_event.to_numpy() > 0
    before = np.concatenate([[1.0], s[:-1]])
    pts = [(0.0, 1.0)]
    for ti, s0, s1, e in zip(t, before, s, ev, strict=True):
        if e:
            pts += [(ti, s0), (ti, s1)]
    pts.append((t[-1], s[-1]))  # the end of the curve
    return pd.DataFrame(pts, columns=["time", "survival"])


def digitise(dataset: str, arm: str, rng: np.random.Generator) -> pd.DataFrame:
    pts = corners(dataset, arm)
    n = len(pts)
    pts["time"] = pts["time"] * (1 + rng.uniform(-T_NOISE, T_NOISE, n))
    pts["survival"] = pts["survival"] + rng.uniform(-S_NOISE, S_NOISE, n)
    return pts.sample(frac=1.0, random_state=rng.integers(2**31))  # read in any order


def at_risk(dataset: str, arm: str) -> pd.DataFrame:
    tab = AT_RISK[(AT_RISK.dataset == dataset) & (AT_RISK.arm == arm)]
    return tab[["time", "n_at_risk"]].reset_index(drop=True)


def original_survival(dataset: str, arm: str, x: float) -> float:
    km = KM[(KM.dataset == dataset) & (KM.arm == arm)]
    t = km.time.to_numpy(dtype=float)
    i = np.searchsorted(t, x, side="right") - 1
    return 1.0 if i < 0 else float(km.surv.iloc[i])


def digitised_survival(curve: pd.DataFrame, x: float) -> float:
    """The reader's curve itself (cleaned, read as a step function) at ``x``: what a perfect
    reconstruction of that reading would give."""
    t, s = clean_curve(curve)
    return float(s[np.searchsorted(t, x, side="right") - 1])


def digitised_median(curve: pd.DataFrame) -> float:
    t, s = clean_curve(curve)
    below = np.flatnonzero(s <= 0.5)
    return float(t[below[0]]) if below.size else float("nan")


def summary(dataset: str, arm: str) -> pd.Series:
    return SUMMARY[(SUMMARY.dataset == dataset) & (SUMMARY.arm == arm)].iloc[0]


def round_trip(dataset: str, seed: int, *, use_total: bool = False) -> dict:
    """Reconstruct every arm of a data set once; the accuracy measures of the brief."""
    rng = np.random.default_rng(seed)
    out: dict = {"dataset": dataset, "seed": seed, "total_events": use_total}
    ipds = []
    at_risk_diff = 0
    rate_diff = 0.0
    cross = []
    rate_diff_dig = 0.0  # the same measures for the digitised curve itself
    cross_dig = []
    events_diff = 0
    for arm in arms(dataset):
        curve = digitise(dataset, arm, rng)
        table = at_risk(dataset, arm)
        ref = summary(dataset, arm)
        total = int(ref.events) if use_total else None
        ipd = reconstruct_ipd(curve, table, total_events=total)
        times = ipd.time.to_numpy()
        recon_n = np.array([(times >= x).sum() for x in table.time])
        at_risk_diff = max(at_risk_diff, int(np.abs(recon_n - table.n_at_risk.to_numpy()).max()))
        km = kaplan_meier(times, ipd.event.to_numpy())
        s12 = float(km.survival_at([DAYS_12M])["survival"].iloc[0])
        rate_diff = max(rate_diff, abs(s12 - float(ref.surv_12m)))
        rate_diff_dig = max(
            rate_diff_dig, abs(digitised_survival(curve, DAYS_12M) - float(ref.surv_12m))
        )
        if np.isfinite(ref["median"]):
            # the rebuilt curve at the original median, the original curve at the rebuilt one
            cross.append(float(km.survival_at([float(ref["median"])])["survival"].iloc[0]))
            m = float(km.median.estimate)
            cross.append(original_survival(dataset, arm, m) if np.isfinite(m) else np.nan)
            cross_dig.append(digitised_survival(curve, float(ref["median"])))
            m = digitised_median(curve)
            cross_dig.append(original_survival(dataset, arm, m) if np.isfinite(m) else np.nan)
        events_diff = max(events_diff, abs(int(ipd.event.sum()) - int(ref.events)))
        ipds.append(ipd.assign(arm2=float(arm == arms(dataset)[-1])))
    out.update(max_at_risk_diff=at_risk_diff, max_rate_12m_diff=rate_diff,
               cross_median_min=min(cross), cross_median_max=max(cross),
               max_events_diff=events_diff, max_rate_12m_diff_digitised=rate_diff_dig,
               cross_median_min_digitised=min(cross_dig),
               cross_median_max_digitised=max(cross_dig))
    hr_ref = summary(dataset, arms(dataset)[-1]).hr
    if np.isfinite(hr_ref):
        data = pd.concat(ipds, ignore_index=True)
        fit = cox(data, time="time", event="event", covariates=["arm2"])
        out["hr"] = float(fit.table.at["arm2", "hr"])
        out["hr_rel_diff"] = abs(out["hr"] / hr_ref - 1)
    else:
        out["hr"] = out["hr_rel_diff"] = np.nan
    return out


def accuracy_table(n_seeds: int) -> pd.DataFrame:
    rows = [round_trip(d, seed, use_total=tot) for d in DATASETS for tot in (False, True)
            for seed in range(n_seeds)]
    res = pd.DataFrame(rows)
    res["median_ok"] = (res.cross_median_min >= 0.48) & (res.cross_median_max <= 0.52)
    res["rate_ok"] = res.max_rate_12m_diff <= 0.02
    res["median_ok_digitised"] = (res.cross_median_min_digitised >= 0.48) & (
        res.cross_median_max_digitised <= 0.52
    )
    res["rate_ok_digitised"] = res.max_rate_12m_diff_digitised <= 0.02
    return res.groupby(["dataset", "total_events"], sort=False).agg(
        runs=("seed", "size"),
        max_at_risk_diff=("max_at_risk_diff", "max"),
        max_rate_12m_diff=("max_rate_12m_diff", "max"),
        rate_ok=("rate_ok", "mean"),
        rate_ok_digitised=("rate_ok_digitised", "mean"),
        cross_median_min=("cross_median_min", "min"),
        cross_median_max=("cross_median_max", "max"),
        median_ok=("median_ok", "mean"),
        median_ok_digitised=("median_ok_digitised", "mean"),
        max_events_diff=("max_events_diff", "max"),
        max_hr_rel_diff=("hr_rel_diff", "max"),
    ).reset_index()


def to_markdown(table: pd.DataFrame) -> str:
    def fmt(v):
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "no"
        if isinstance(v, float):
            return "-" if np.isnan(v) else f"{v:.3f}"
        return str(v)

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in table.itertuples(False)]
    return "\n".join(lines)


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    print(to_markdown(accuracy_table(n)))
