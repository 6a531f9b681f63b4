"""Write the SYNTHETIC published arm of examples/escc-comparisons (no real trial's data).

A reader's digitisation of a made-up "second-line chemotherapy" arm: 120 patients with
exponential overall survival (median 8 months), uniform accrual censoring over 6-30 months,
seed 20251205. Every step corner of its Kaplan-Meier curve read with noise +-0.005 in survival
and +-1 % of the time, rounded to 3 decimals, as a careful reader would; the numbers at risk
every 3 months, as printed under a figure; the total number of deaths.

    cd examples/escc-comparisons/published && python make_synthetic_arm.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from oncocohort.stats import kaplan_meier

rng = np.random.default_rng(20251205)
n = 120
death = rng.exponential(8 / np.log(2), n)
cens = rng.uniform(6, 30, n)
time = np.minimum(death, cens)
event = death <= cens
km = kaplan_meier(time, event).table
points = [(0.0, 1.0)]
before = 1.0
for r in km.itertuples():
    if r.n_events > 0:
        points += [(r.time, before), (r.time, r.survival)]
    before = r.survival
points.append((float(km.time.iloc[-1]), float(km.survival.iloc[-1])))
pts = pd.DataFrame(points, columns=["time", "survival"])
pts["time"] = (pts["time"] * (1 + rng.uniform(-0.01, 0.01, len(pts)))).round(3)
pts["survival"] = (pts["survival"] + rng.uniform(-0.005, 0.005, len(pts))).clip(0).round(3)
times = np.arange(0, 31, 3.0)
risk = pd.DataFrame({"time": times.astype(int),
                     "n_at_risk": [int((time >= t).sum()) for t in times]})
here = Path(__file__).parent
pts.to_csv(here / "os_curve.csv", index=False, lineterminator="\n")
risk.to_csv(here / "os_at_risk.csv", index=False, lineterminator="\n")
print("deaths:", int(event.sum()))
