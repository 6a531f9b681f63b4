"""Write the Fleming-Harrington G(rho, gamma) reference values computed by lifelines.

R's ``survdiff`` has no ``gamma``; lifelines (an independent implementation) does. Run with
the bench extra installed (``pip install -e .[bench]``):

    python tests/reference/logrank_fh_lifelines.py

It reads the lung input the R fixtures were made from and writes
``fixtures/logrank_fh_lifelines.csv``; the test suite reads the CSV and never needs lifelines.
"""

from pathlib import Path

import lifelines
import pandas as pd
from lifelines.statistics import logrank_test

HERE = Path(__file__).parent
d = pd.read_csv(HERE / "fixtures" / "km_input_lung.csv")
a, b = d[d["sex"] == 1], d[d["sex"] == 2]
rows = []
for rho, gamma in [(0, 1), (1, 1), (0.5, 2)]:
    ref = logrank_test(a["time"], b["time"], a["event"], b["event"],
                       weightings="fleming-harrington", p=rho, q=gamma)
    rows.append({"rho": rho, "gamma": gamma, "statistic": repr(float(ref.test_statistic)),
                 "p_value": repr(float(ref.p_value)), "lifelines": lifelines.__version__})
pd.DataFrame(rows).to_csv(HERE / "fixtures" / "logrank_fh_lifelines.csv", index=False)
