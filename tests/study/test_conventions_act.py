"""Every convention the spec accepts changes the output or is rejected.

Each case flips one convention of the demo spec (a copy of the demo folder, edited at test
time) and asserts that the analysis-results dataset changes, and where the convention is
about one statistic, that this statistic is the one that changed.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncocohort.analysis.keys import Analysis, Stat, Var
from oncocohort.canon.conventions import Conventions, ResponseConventions, Screen
from oncocohort.study.demo import demo_spec_path
from oncocohort.study.load import load_study
from oncocohort.study.run import run_study

DEMO = demo_spec_path().parent


def _study(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    folder = tmp_path / "study"
    if not folder.exists():
        shutil.copytree(DEMO, folder)
    spec = folder / "study.yaml"
    text = spec.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    spec.write_text(text, encoding="utf-8")
    return spec


def _ard(spec: Path) -> pd.DataFrame:
    loaded = load_study(spec)
    assert loaded.problems.ok, [p.message for p in loaded.problems]
    return run_study(loaded).analysis.ard


KEYS = ["analysis", "endpoint", "group_var", "group_level", "variable", "category", "statistic"]


def _changed(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The rows whose value differs (or that exist on one side only)."""
    merged = before.merge(after, on=KEYS, how="outer", suffixes=("_0", "_1"), indicator=True)
    v0, v1 = merged["value_0"].to_numpy(float), merged["value_1"].to_numpy(float)
    same = (np.isclose(v0, v1, rtol=1e-12, atol=0) | (np.isnan(v0) & np.isnan(v1)))
    same &= (merged["unit_0"].fillna("") == merged["unit_1"].fillna("")).to_numpy()
    return merged.loc[~same | (merged["_merge"] != "both")]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> pd.DataFrame:
    return _ard(_study(tmp_path_factory.mktemp("base")))


SCREEN = "screen: {threshold: 0.05, p_from: wald}"

# (convention line in the demo spec, flipped line, an ARD `variable` that must change or None)
FLIPS = [
    ("  time_unit: months", "  time_unit: weeks", "median"),
    ("  days_per_month: 30.4375", "  days_per_month: 30", "median"),
    ("  day_count: admiral", "  day_count: difference", "median"),
    ("  proportion_ci: clopper-pearson", "  proportion_ci: wilson", "orr"),
    ("  km_conf_type: log-log", "  km_conf_type: log", "landmark"),
    ("  median_ci: null", "  median_ci: symmetric", "median"),
    ("  cox_ties: efron", "  cox_ties: breslow", None),
    ("  conf_level: 0.95", "  conf_level: 0.9", "orr"),
    ("    confirmation: false", "    confirmation: true", "orr"),
    ("    sd_min_days: 42", "    sd_min_days: 120", "dcr"),
    ("    denominator: all", "    denominator: evaluable", "orr"),
    ("  treatment_emergent_days: 30", "  treatment_emergent_days: 0", None),
    # the screen: a threshold that lets the PFS model take the number of metastatic sites
    # (univariable Wald p 0.057), and each other test (its own p-value rows)
    (SCREEN, "screen: {threshold: 0.1, p_from: wald}", "screen"),
    (SCREEN, "screen: {threshold: 0.05, p_from: lr}", "screen_lr"),
    (SCREEN, "screen: {threshold: 0.05, p_from: logrank}", "screen_logrank"),
]
#: Conventions whose flip needs more than the demo as it is (tested below by name).
ELSEWHERE = {"partial_dates", "confirmation_days", "max_ne_between"}


@pytest.mark.parametrize("old,new,variable", FLIPS, ids=[f[1].strip() for f in FLIPS])
def test_each_convention_changes_the_results(tmp_path, baseline, old, new, variable):
    changed = _changed(baseline, _ard(_study(tmp_path, (old, new))))
    assert not changed.empty, f"{new.strip()} left the results unchanged"
    if variable is not None:
        assert variable in set(changed["variable"]), sorted(set(changed["variable"]))


def test_every_convention_is_flipped():
    """Each field of ``conventions:``, ``conventions.response:`` and ``screen:`` is flipped
    above or in a test of its own: a new convention cannot be added without one."""
    fields = {f.name for cls in (Conventions, ResponseConventions, Screen)
              for f in dataclasses.fields(cls)} - {"response"}
    flipped = {new.strip().split(":")[0] for old, new, _ in FLIPS if old != SCREEN}
    flipped |= {key for old, new, _ in FLIPS if old == SCREEN  # the key whose value differs
                for key, value in zip(("threshold", "p_from"), ("0.05", "wald"), strict=True)
                if f"{key}: {value}" not in new}
    assert fields <= flipped | ELSEWHERE, sorted(fields - flipped - ELSEWHERE)


def test_confirmation_window_and_ne_rule_act_when_confirmation_is_on(tmp_path):
    on = ("    confirmation: false", "    confirmation: true")
    base = _ard(_study(tmp_path / "a", on))
    longer = _ard(_study(tmp_path / "b", on, ("    confirmation_days: 28",
                                               "    confirmation_days: 120")))
    assert "orr" in set(_changed(base, longer)["variable"])


def test_median_ci_symmetric_is_the_spss_interval_and_only_the_interval(tmp_path, baseline):
    spss = _ard(_study(tmp_path, ("  median_ci: null", "  median_ci: symmetric")))
    changed = _changed(baseline, spss)
    # the medians' bounds (and the follow-up's) change; the medians themselves do not
    assert set(changed["statistic"]) <= {"lower", "upper"}
    assert set(changed["variable"]) <= {"median", "follow_up"}
    os_median = spss.query("analysis == 'survival' and endpoint == 'os' and variable == "
                           "'median'").set_index("statistic")["value"]
    lo, est, hi = os_median["lower"], os_median["median"], os_median["upper"]
    assert est - lo == pytest.approx(hi - est, rel=1e-9)  # symmetric about the median


def test_partial_dates_reject_or_impute(tmp_path):
    spec = _study(tmp_path)
    patients = spec.parent / "patients.csv"
    frame = pd.read_csv(patients, dtype=str, keep_default_na=False)
    dead = frame.index[frame["death_date"] != ""][0]
    # a death date known to the month, in the month after the last contact
    frame.loc[dead, "death_date"] = frame.loc[dead, "death_date"][:7]
    frame.loc[dead, "last_alive_date"] = frame.loc[dead, "death_date"] + "-01"
    frame.to_csv(patients, index=False)
    rejected = load_study(spec)
    assert not rejected.problems.ok
    assert any("death_date" in str(p.column) for p in rejected.problems)
    first = _ard(_study(tmp_path, ("  partial_dates: reject", "  partial_dates: first")))
    last = _ard(_study(tmp_path, ("  partial_dates: first", "  partial_dates: last")))
    assert not _changed(first, last).empty


@pytest.mark.by_hand
def test_max_ne_between_reaches_the_derivation_and_changes_the_response_rate(tmp_path):
    """The demo's data never have an NE between a response and its confirmation, so the
    demo copy reads visit responses typed here instead of its lesions: the first patient
    has PR at day 42, NE at day 63 and PR at day 84 after the index date (42 days apart, so
    confirmed when one NE between is allowed); nobody else has an assessment (NE). With
    ``max_ne_between: 1`` the confirmed ORR is 1 patient; with 0 the PR is unconfirmed and
    counts as SD (day 42 >= sd_min_days 42): ORR 0, DCR still 1."""
    results = {}
    for allowed in (1, 0):
        spec = _study(tmp_path / str(allowed),
                      ("    confirmation: false", "    confirmation: true"),
                      ("    max_ne_between: 1", f"    max_ne_between: {allowed}"),
                      ("  lesions:       {file: lesions.csv}",
                       "  responses:     {file: responses.csv}"))
        patients = pd.read_csv(spec.parent / "patients.csv", dtype=str)
        first, index = patients.loc[0, "subject_id"], pd.Timestamp(patients.loc[0, "index_date"])
        pd.DataFrame({"subject_id": first,
                      "assessment_date": [(index + pd.Timedelta(days=d)).date().isoformat()
                                          for d in (42, 63, 84)],
                      "response": ["PR", "NE", "PR"]}).to_csv(spec.parent / "responses.csv",
                                                             index=False)
        loaded = load_study(spec)
        assert loaded.problems.ok, [p.message for p in loaded.problems]
        assert loaded.options.derive.response.max_ne_between == allowed  # reaches derive/
        ard = run_study(loaded).analysis.ard
        response = ard[(ard["analysis"] == Analysis.RESPONSE) & (ard["statistic"] == Stat.N)
                       & (ard["category"] == "")].set_index("variable")["value"]
        results[allowed] = (response[Var.ORR], response[Var.DCR])
    assert results == {1: (1.0, 1.0), 0: (0.0, 1.0)}
