"""Internal comparisons of a study, end to end (spec -> ARD), against R.

Reference tier: the demo cohort, prior immunotherapy yes vs no, adjusted for age, sex, ECOG,
lines and metastatic sites, by weighting (ATE stabilised, ATE unstabilised and trimmed at
0.15, ATT, ATO) and matching (1:1 with a 0.2 SD caliper; 1:2 without caliper), OS and PFS;
values from ``tests/reference/comparison_study.R`` (R survival 3.5-3, MatchIt 4.5.1 with the
scaled distance). Tolerance rel 1e-6 (the brief's); agreement is in fact ~1e-12.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from oncocohort.analysis.keys import Analysis, Method, Stat, Var
from oncocohort.problems import InputError
from oncocohort.study.demo import demo_spec_path
from oncocohort.study.load import load_study
from oncocohort.study.run import run_study

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
FIXTURES = REFERENCE / "fixtures"
REL = 1e-6
ADJUST = ["age", "sex", "ecog_group", "lines_group", "sites_group"]


def _read(name: str, **kw) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / name, keep_default_na=False, na_values=["NA"],
                       float_precision="round_trip", **kw)


CASES = _read("comparison_study_cases.csv", dtype=str)
R = _read("comparison_study.csv", dtype={"group": str, "category": str, "endpoint": str})


def _comparison(case: pd.Series) -> dict:
    c = {"name": case["case"], "variable": "prior_ici", "treated": True, "adjust": ADJUST}
    if case["method"] == "weighting":
        c["weighting"] = {"estimand": case["estimand"],
                          "stabilize": case["stabilize"] == "TRUE"}
        if case["trim"]:
            c["weighting"]["trim"] = float(case["trim"])
    else:
        c["matching"] = {"ratio": int(case["ratio"]),
                         "caliper": float(case["caliper"]) if case["caliper"] else None}
    return c


def demo_spec_with(tmp_path: Path, comparisons: dict) -> Path:
    """The demo spec with a ``comparisons`` block, written to ``tmp_path`` (source paths made
    absolute)."""
    spec = yaml.safe_load(demo_spec_path().read_text())
    for src in spec["sources"].values():
        src["file"] = str((demo_spec_path().parent / src["file"]).resolve())
    spec["comparisons"] = comparisons
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    internal = [_comparison(c) for _, c in CASES.iterrows()]
    path = demo_spec_with(tmp_path_factory.mktemp("cmp"), {"internal": internal})
    return run_study(load_study(path))


def _r(case, quantity, endpoint="", group="", category=""):
    hit = R[(R.case == case) & (R.quantity == quantity) & (R.endpoint == endpoint)
            & (R.group == group) & (R.category == category)]
    assert len(hit) == 1, (case, quantity, endpoint, group, category)
    return float(hit.value.iloc[0])


def _ard(ard, **where) -> float:
    mask = np.ones(len(ard), dtype=bool)
    for k, v in where.items():
        mask &= (ard[k] == str(v)).to_numpy()
    hit = ard.loc[mask, "value"]
    assert len(hit) == 1, where
    return float(hit.iloc[0])


def test_the_input_fixture_is_the_demo_pipeline():
    sys.path.insert(0, str(REFERENCE))
    try:
        from comparison_demo_input import comparison_input
    finally:
        sys.path.remove(str(REFERENCE))
    now = comparison_input()
    fixed = _read("comparison_demo_input.csv", dtype={"subject_id": str, "lines_group": str,
                                                      "ecog_group": str, "sites_group": str})
    pd.testing.assert_frame_equal(now, fixed, check_dtype=False, rtol=1e-15)


@pytest.mark.reference
@pytest.mark.parametrize("case", CASES.case.tolist())
def test_balance_equals_r(results, case):
    ard = results.analysis.ard
    bal = ard[(ard.analysis == Analysis.BALANCE) & (ard.group_var == case)]
    r = R[(R.case == case) & (R.quantity.str.startswith(("smd", "vr")))]
    assert len(bal) == len(r)
    # R names the data's codes (sex F); the ARD the demo spec's labels (Female)
    variables = yaml.safe_load(demo_spec_path().read_text())["variables"]
    labels = {var: {str(k): v for k, v in spec["values"].items()}
              for var, spec in variables.items() if isinstance(spec.get("values"), dict)}
    assert labels["sex"]["F"] == "Female"
    for row in r.itertuples():
        var, code = row.category.split("|")
        level = labels.get(var, {}).get(code, code)
        got = _ard(bal, variable=var, category=level, statistic=row.quantity)
        if np.isnan(row.value):
            assert np.isnan(got)
        else:
            assert got == pytest.approx(row.value, rel=REL, abs=1e-12), row


@pytest.mark.reference
@pytest.mark.parametrize("case", CASES.case.tolist())
@pytest.mark.parametrize("endpoint", ["os", "pfs"])
def test_weighted_curves_and_hazard_ratio_equal_r(results, case, endpoint):
    ard = results.analysis.ard
    cmp = ard[(ard.analysis == Analysis.COMPARISON) & (ard.group_var == case)]
    levels = {"1": "Yes", "0": "No"}
    checked = 0
    for g, level in levels.items():
        w = {"group_level": level}
        assert _ard(cmp, endpoint="", variable=Var.WEIGHTS, statistic=Stat.N_EFFECTIVE,
                    **w) == pytest.approx(_r(case, "ess", group=g), rel=REL)
        zero = Var.TRIMMED if case.startswith("a") else Var.UNMATCHED
        assert _ard(cmp, endpoint="", variable=zero, statistic=Stat.N, **w) == _r(
            case, "n_zero", group=g)
        e = {"endpoint": endpoint, **w}
        for q, var, stat, cat in [("median", Var.MEDIAN, Stat.MEDIAN, ""),
                                  ("median_lower", Var.MEDIAN, Stat.LOWER, ""),
                                  ("median_upper", Var.MEDIAN, Stat.UPPER, ""),
                                  ("landmark", Var.LANDMARK, Stat.PCT, "12"),
                                  ("landmark_lower", Var.LANDMARK, Stat.LOWER, "12"),
                                  ("landmark_upper", Var.LANDMARK, Stat.UPPER, "12"),
                                  ("landmark", Var.LANDMARK, Stat.PCT, "24"),
                                  ("landmark_upper", Var.LANDMARK, Stat.UPPER, "24")]:
            expected = _r(case, q, endpoint, g, cat)
            got = _ard(cmp, variable=var, statistic=stat, category=cat, **e)
            if cat and float(cat) > _r(case, "last_time", endpoint, g):
                # after the group's last time R's extend = TRUE carries the curve forward;
                # the ARD says NaN (unknown), as the survival rows do
                assert np.isnan(got), (q, cat)
            else:
                assert got == pytest.approx(expected, rel=REL, nan_ok=True), (q, cat)
            checked += 1
        risk = cmp[(cmp.endpoint == endpoint) & (cmp.group_level == level)
                   & (cmp.variable == Var.AT_RISK)
                   & (cmp.statistic == Stat.N_AT_RISK_WEIGHTED)]
        for row in risk.itertuples():
            hit = R[(R.case == case) & (R.endpoint == endpoint) & (R.group == g)
                    & (R.quantity == "n_at_risk_weighted") & (R.category == row.category)]
            if len(hit):
                assert row.value == pytest.approx(float(hit.value.iloc[0]), rel=REL, abs=1e-12)
                checked += 1
    hr = {"endpoint": endpoint, "group_level": "Yes"}
    for q, var, stat in [("hr", Var.HR, Stat.HR), ("hr_lower", Var.HR, Stat.LOWER),
                         ("hr_upper", Var.HR, Stat.UPPER), ("p", Var.HR, Stat.P),
                         ("se", Var.HR, Stat.SE), ("se_model", Var.HR, Stat.SE_MODEL),
                         ("crude_hr", Var.HR_UNADJUSTED, Stat.HR),
                         ("crude_lower", Var.HR_UNADJUSTED, Stat.LOWER),
                         ("crude_upper", Var.HR_UNADJUSTED, Stat.UPPER),
                         ("e_value", Var.HR, Stat.E_VALUE),
                         ("e_value_ci", Var.HR, Stat.E_VALUE_CI)]:
        assert _ard(cmp, variable=var, statistic=stat, **hr) == pytest.approx(
            _r(case, q, endpoint), rel=REL), q
    assert checked > 20


def test_every_comparison_row_states_its_method(results):
    ard = results.analysis.ard
    rows = ard[ard.analysis.isin([Analysis.COMPARISON, Analysis.BALANCE])]
    assert len(rows) and (rows.method != "").all()
    others = ard.loc[~ard.analysis.isin([Analysis.COMPARISON, Analysis.BALANCE])]
    # elsewhere only a missing limit of a median says why it is missing (NR or NE)
    limits = others.method.isin([Method.LIMIT_NOT_REACHED, Method.LIMIT_NOT_ESTIMABLE])
    assert (others.loc[~limits, "method"] == "").all()
    assert (others.loc[limits, "variable"] == Var.MEDIAN).all()
    assert others.loc[limits, "statistic"].isin([Stat.LOWER, Stat.UPPER]).all()
    assert others.loc[limits, "value"].isna().all()


def test_unweighted_numbers_at_risk_count_patients(results):
    ard = results.analysis.ard
    r = ard[(ard.analysis == Analysis.COMPARISON) & (ard.group_var == "match_1")
            & (ard.endpoint == "os") & (ard.variable == Var.AT_RISK)
            & (ard.statistic == Stat.N_AT_RISK) & (ard.category == "0")]
    matched = ard[(ard.analysis == Analysis.COMPARISON) & (ard.group_var == "match_1")
                  & (ard.endpoint == "") & (ard.variable == Var.MATCHED)]
    assert sorted(r.value) == sorted(matched.value)  # everyone matched is at risk at 0


@pytest.mark.parametrize("change, location, message", [
    ({"variable": "nope"}, "comparisons.internal[0].variable", "'nope' is neither a column"),
    ({"adjust": ["age", "ecog_grp"]}, "comparisons.internal[0].adjust[1]", "'ecog_grp'"),
    ({"endpoints": ["dor"]}, "comparisons.internal[0].endpoints[0]", "analysed in all"),
    ({"endpoints": ["oss"]}, "comparisons.internal[0].endpoints[0]", "did you mean 'os'"),
])
def test_bad_comparisons_are_located(tmp_path, change, location, message):
    c = {"name": "ici", "variable": "prior_ici", "treated": True, "adjust": ["age"],
         "weighting": {}} | change
    path = demo_spec_with(tmp_path, {"internal": [c]})
    with pytest.raises(InputError) as exc:
        run_study(load_study(path))
    assert any(p.location == location and message in p.message for p in exc.value.problems)


def test_a_level_that_is_not_there_is_named(tmp_path):
    c = {"name": "ici", "variable": "prior_ici", "treated": "maybe", "adjust": ["age"],
         "weighting": {}}
    with pytest.raises(ValueError, match="treated level 'maybe' is not a level"):
        run_study(load_study(demo_spec_with(tmp_path, {"internal": [c]})))
