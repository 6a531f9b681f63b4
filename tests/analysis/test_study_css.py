"""Cancer-specific death with death from other causes competing, end to end (spec -> derived
time-to-event rows -> ARD -> report), as docs/study-spec.md writes it:

    css: {label: Cancer-specific survival, events: [patients.cancer_death_date],
          competing: [patients.other_death_date], censor: [last_alive]}

The demo cohort's deaths are split by hand into cancer deaths and deaths from other causes
(every third death, in subject order, from other causes) in two date columns of the patients
file. The cumulative incidence is checked against an Aalen-Johansen estimate worked out in the
test (the product-limit all-cause survival just before each time times the cause's hazard
there), the counts against the CSV.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from oncocohort.analysis.ard import ard_value
from oncocohort.report.figure_steps import build_drawn_report
from oncocohort.study.load import load_study
from oncocohort.study.run import run_study

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "escc-competing-risks" / "study.yaml"
DEMO = ROOT / "src" / "oncocohort" / "data" / "demo"


@pytest.fixture(scope="module")
def css(tmp_path_factory):
    folder = tmp_path_factory.mktemp("css")
    patients = pd.read_csv(DEMO / "patients.csv", dtype=str, keep_default_na=False)
    died = patients.index[patients["death_date"] != ""]
    other = died[::3]  # every third death (subject order) from another cause
    patients["cancer_death_date"] = ""
    patients["other_death_date"] = ""
    patients.loc[died.difference(other), "cancer_death_date"] = patients["death_date"]
    patients.loc[other, "other_death_date"] = patients["death_date"]
    patients.to_csv(folder / "patients.csv", index=False)

    spec = yaml.safe_load(EXAMPLE.read_text())
    for name, source in spec["sources"].items():
        source["file"] = str(folder / "patients.csv") if name == "patients" else str(
            (EXAMPLE.parent / source["file"]).resolve())
    spec["endpoints"] = {
        "os": spec["endpoints"]["os"],
        "css": {"label": "Cancer-specific survival", "start": "index",
                "events": ["patients.cancer_death_date"],
                "competing": ["patients.other_death_date"], "censor": ["last_alive"],
                "rmst": {"tau": 12}},
    }
    spec["labels"] = {**spec.get("labels", {}), "other_death_date": "Death from other causes"}
    spec.pop("landmark_analyses", None)
    spec.pop("time_varying", None)
    path = folder / "study.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))
    loaded = load_study(path)
    assert not loaded.problems.errors, loaded.problems.errors
    results = run_study(loaded)
    return patients, results, build_drawn_report(results.analysis, results.options.report,
                                           results.problems)


def _aalen_johansen(time: np.ndarray, cause: np.ndarray, cause_of_interest: int,
                    at: float) -> float:
    """F_k(at) = sum over event times t <= at of S(t-) d_k(t) / n(t), S the all-cause
    product-limit survival."""
    s, f = 1.0, 0.0
    for t in np.unique(time[(cause > 0) & (time <= at)]):
        n = (time >= t).sum()
        d_k = ((time == t) & (cause == cause_of_interest)).sum()
        d = ((time == t) & (cause > 0)).sum()
        f += s * d_k / n
        s *= 1 - d / n
    return f


def test_derived_rows_follow_the_cause_of_death(css):
    patients, results, _ = css
    tte = results.derived.tte
    rows = tte[tte["paramcd"] == "css"].merge(patients, on="subject_id")
    os_ = tte[tte["paramcd"] == "os"].set_index("subject_id")["aval"]
    assert len(rows) == len(results.derived.patients) > 50
    cancer = rows["cancer_death_date"] != ""
    other = rows["other_death_date"] != ""
    assert cancer.sum() > 10 and other.sum() > 5
    assert (rows.loc[cancer, "cause"] == 1).all() and (rows.loc[other, "cause"] == 2).all()
    assert (rows.loc[~cancer & ~other, "cause"] == 0).all()
    # one death, one time: the cancer-specific time is the overall-survival time
    np.testing.assert_array_equal(rows["aval"].to_numpy(),
                                  os_.loc[rows["subject_id"]].to_numpy())


def test_ard_rows_equal_a_worked_aalen_johansen(css):
    _, results, _ = css
    ard = results.analysis.ard
    tte = results.derived.tte
    d = tte[tte["paramcd"] == "css"]
    time, cause = d["aval"].to_numpy(float), d["cause"].to_numpy(int)
    w = {"analysis": "competing_risks", "endpoint": "css", "group_var": ""}
    assert ard_value(ard, **w, variable="events", statistic="n") == (cause == 1).sum()
    assert ard_value(ard, **w, variable="competing_events", statistic="n") == (cause == 2).sum()
    for k, var in ((1, "cif_event"), (2, "cif_competing")):
        got = ard_value(ard, **w, variable=var, category="12", statistic="pct")
        assert got == pytest.approx(100 * _aalen_johansen(time, cause, k, 12.0), rel=1e-12)
    assert not ((ard.analysis == "survival") & (ard.endpoint == "css")).any()
    assert ard_value(ard, analysis="competing_risks", endpoint="css", variable="gray",
                     group_var="ecog_group", statistic="p") > 0
    rmtl = ard[(ard.analysis == "rmst") & (ard.endpoint == "css") & (ard.group_var == "")]
    assert set(rmtl["variable"]) == {"rmtl"}
    assert rmtl["method"].str.contains("infinitesimal-jackknife").all()
    css_rows = ard[ard.endpoint == "css"]
    assert (css_rows["method"] != "").all()


def test_report_names_cancer_death_and_its_competing_event(css):
    _, _, content = css
    m = content.methods
    assert ("Cancer-specific survival ran from the start of anlotinib plus PD-1 antibody to "
            "cancer death, with death from other causes counted as a competing event; "
            "patients with neither were censored at the last contact.") in m
    assert "the restricted mean time lost to cancer death (RMTL)" in m
    tables = {t.name: t for t in content.tables}
    cr = tables["competing_css"]
    assert "12-month incidence of cancer death, % (95% CI)" in cr.header
    assert "12-month incidence of death from other causes, % (95% CI)" in cr.header
    assert any("competing events: death from other causes" in n for n in cr.footnotes)
    figures = {f.name: f for f in content.figures}
    assert figures["cif_css"].drawn.legend == ("Cancer death", "Death from other causes")
    assert figures["cif_css"].caption.startswith(
        "Cumulative incidence of cancer death and of death from other causes, cancer-specific "
        "survival")
