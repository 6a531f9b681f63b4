"""Helpers of the study-shape tests (tests/cohorts): reading a written ARD."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest


def read_ard(out: Path) -> pd.DataFrame:
    """The written ARD, every key column as text."""
    return pd.read_csv(out / "results" / "ard.csv", keep_default_na=False,
                       dtype={c: str for c in ("analysis", "endpoint", "group_var",
                                               "group_level", "variable", "category",
                                               "statistic")})


def ard_value(ard: pd.DataFrame, **where: str) -> float:
    """The one ARD value at ``where`` (absent keys are empty)."""
    keys = ("analysis", "endpoint", "group_var", "group_level", "variable", "category",
            "statistic")
    m = pd.Series(True, index=ard.index)
    for k in keys:
        m &= ard[k] == str(where.get(k, ""))
    assert m.sum() == 1, where
    value = ard.loc[m, "value"].iloc[0]
    return float("nan") if value == "" else float(value)  # not estimable


def read_reference(name: str) -> dict[str, float]:
    """R's numbers of a study-shape script (``tests/reference/<name>.R``): quantity -> value."""
    path = Path(__file__).parent / "reference" / "fixtures" / f"{name}_results.csv"
    r = pd.read_csv(path, float_precision="round_trip")
    return dict(zip(r["quantity"], r["value"].astype(float), strict=True))


def check_km(ard: pd.DataFrame, r: dict[str, float], prefix: str, endpoint: str,
             landmarks: tuple[float, ...], rel: float) -> None:
    """The survival rows of ``endpoint`` against R's ``<prefix>_*`` quantities (medians and
    landmarks in the study's months, rates in %)."""
    s = {"analysis": "survival", "endpoint": endpoint}
    assert ard_value(ard, variable="patients", statistic="n", **s) == r[f"{prefix}_n"]
    assert ard_value(ard, variable="events", statistic="n", **s) == r[f"{prefix}_events"]
    for stat, key in (("median", "median"), ("lower", "median_lower"),
                      ("upper", "median_upper")):
        got = ard_value(ard, variable="median", statistic=stat, **s)
        assert got == pytest.approx(r[f"{prefix}_{key}"], rel=rel, nan_ok=True), (endpoint,
                                                                                  stat)
    for t in landmarks:
        for stat, key in (("pct", ""), ("lower", "_lower"), ("upper", "_upper")):
            got = ard_value(ard, variable="landmark", category=f"{t:g}", statistic=stat, **s)
            assert got == pytest.approx(100 * r[f"{prefix}_km_{t:g}{key}"], rel=rel), (t, stat)


def check_cox(ard: pd.DataFrame, r: dict[str, float], prefix: str, endpoint: str,
              terms: dict[tuple[str, str], str], rel: float) -> None:
    """Univariable and multivariable Cox rows of ``endpoint`` against R's
    ``<prefix>_uni_<term>_*`` and ``<prefix>_multi_<term>_*``; the multivariable model has
    exactly R's terms (the same screen), and is not fitted when R's holds one variable only
    (it is then the univariable model: the screen passed one variable)."""
    for model, part in (("cox_univariable", "uni"), ("cox_multivariable", "multi")):
        in_r = {key for key in terms.items() if f"{prefix}_{part}_{key[1]}_hr" in r}
        rows = ard[(ard["analysis"] == model) & (ard["endpoint"] == endpoint)
                   & (ard["variable"] == "hr") & (ard["statistic"] == "hr")]
        got = {(v, lvl) for v, lvl in zip(rows["group_var"], rows["group_level"], strict=True)}
        if part == "multi" and len({var for (var, _), _ in in_r}) < 2:
            assert got == set(), (model, got)
            continue
        assert got == {k for k, _ in in_r}, (model, got)
        for (var, level), term in in_r:
            for stat in ("hr", "lower", "upper", "p"):
                value = ard_value(ard, analysis=model, endpoint=endpoint, group_var=var,
                                  group_level=level, variable="hr", statistic=stat)
                want = r[f"{prefix}_{part}_{term}_{stat}"]
                assert value == pytest.approx(want, rel=rel), (model, var, level, stat)


def logrank_p(ard: pd.DataFrame, endpoint: str, var: str) -> float:
    return ard_value(ard, analysis="subgroup", endpoint=endpoint, group_var=var,
                     variable="logrank", statistic="p")
