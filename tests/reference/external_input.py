"""Write ``fixtures/external_input.csv``: the two samples of the external comparison of
examples/escc-comparisons (the cohort's OS, and the published arm's data rebuilt by
``reconstruct_ipd`` from its digitised curve), for ``external.R``.

    cd tests/reference && PYTHONPATH=../../src python external_input.py

``tests/analysis/test_external_study.py`` checks that the study still gives these samples.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from oncocohort.study.load import load_study
from oncocohort.study.run import run_study

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "escc-comparisons" / "study.yaml"


def external_input() -> pd.DataFrame:
    """``group`` (cohort, arm), ``time`` (months), ``event``; sorted."""
    res = run_study(load_study(EXAMPLE))
    tte = res.derived.tte
    os_ = tte[tte["paramcd"] == "os"]
    ipd = res.analysis.external["synthetic_chemo"].ipd
    out = pd.concat([
        pd.DataFrame({"group": "cohort", "time": os_["aval"].to_numpy(float),
                      "event": os_["event"].to_numpy(int)}),
        pd.DataFrame({"group": "arm", "time": ipd["time"].to_numpy(float),
                      "event": ipd["event"].to_numpy(int)})], ignore_index=True)
    return out.sort_values(["group", "time", "event"], kind="stable",
                           ignore_index=True).astype({"event": np.int64})


if __name__ == "__main__":
    path = Path(__file__).resolve().parent / "fixtures" / "external_input.csv"
    path.write_text(external_input().to_csv(index=False, float_format="%.17g",
                                            lineterminator="\n"))
    print("wrote", path)
