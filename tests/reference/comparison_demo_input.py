"""Write ``fixtures/comparison_demo_input.csv``: the demo cohort's analysis data for the
internal comparison of ``comparison_study.R`` (prior immunotherapy, its confounders, OS and PFS
in months), as the study pipeline derives them.

    cd tests/reference && PYTHONPATH=../../src python comparison_demo_input.py

``tests/analysis/test_comparisons_study.py`` checks that the pipeline still gives this file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from oncocohort.analysis.baseline import level_texts
from oncocohort.study.demo import demo_spec_path
from oncocohort.study.load import load_study
from oncocohort.study.run import derive_loaded_study

COLUMNS = ["age", "sex", "ecog_group", "lines_group", "sites_group"]


def comparison_input() -> pd.DataFrame:
    """One row per patient: subject_id, prior_ici (1/0), the confounders, OS and PFS."""
    derived = derive_loaded_study(load_study(demo_spec_path()))
    p = derived.subjects
    out = pd.DataFrame({"subject_id": p["subject_id"],
                        "prior_ici": (level_texts(p["prior_ici"]) == "Yes").astype(int)})
    out[COLUMNS] = p[COLUMNS]
    for ep in ("os", "pfs"):
        t = derived.tte.loc[derived.tte["paramcd"] == ep, ["subject_id", "aval", "event"]]
        t = t.rename(columns={"aval": f"{ep}_time", "event": f"{ep}_event"})
        out = out.merge(t, on="subject_id", how="left", validate="one_to_one")
    out[["os_event", "pfs_event"]] = out[["os_event", "pfs_event"]].astype(int)
    return out.sort_values("subject_id", kind="stable").reset_index(drop=True)


def to_csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, float_format="%.17g", lineterminator="\n")


if __name__ == "__main__":
    path = Path(__file__).resolve().parent / "fixtures" / "comparison_demo_input.csv"
    path.write_text(to_csv(comparison_input()))
    print("wrote", path)
