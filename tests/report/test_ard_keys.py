"""The ARD's keys: one vocabulary (analysis/keys.py), a strict lookup, and every key the report
reads is one the analyses wrote (checked on the demo, every example study and the hand-made
fixture study)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from oncocohort.analysis.keys import Analysis, Stat, Var
from oncocohort.problems import Problems
from oncocohort.report import _ard_lookup
from oncocohort.report._ard_lookup import ArdLookup, MissingArdRow
from oncocohort.report.figure_steps import build_drawn_report
from oncocohort.study.demo import demo_spec_path
from oncocohort.study.load import load_study
from oncocohort.study.run import run_study

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(spec: Path):
    results = run_study(load_study(spec))
    return results.analysis, results.options.report


@pytest.fixture(scope="module")
def demo():
    """The bundled demo, analysed: its analysis and report options."""
    return _run(demo_spec_path())


@pytest.fixture(scope="module")
def examples():
    """Every example study of ``examples/`` (competing risks, comparisons with the published
    arm, the lung and veteran workbooks, ...), analysed."""
    specs = sorted(EXAMPLES.glob("*/study.yaml"))
    assert {p.parent.name for p in specs} >= {"escc-competing-risks", "escc-comparisons"}
    return {f"examples/{p.parent.name}": _run(p) for p in specs}


def _studies(demo, examples, fixture_module):
    small = fixture_module.make_analysis()
    options = fixture_module.make_options().report
    bare = dataclasses.replace(small, ard=small.ard[~small.ard["analysis"].isin(
        [Analysis.SURVIVAL, Analysis.SUBGROUP, Analysis.COX_UNIVARIABLE,
         Analysis.COX_MULTIVARIABLE])].reset_index(drop=True), endpoints={}, subgroups={})
    return {"demo": demo, **examples, "fixture": (small, options),
            "fixture, k=5": (small, dataclasses.replace(options, small_cell_k=5)),
            "fixture, no time-to-event": (bare, options)}


def test_the_ard_speaks_the_vocabulary(demo, examples, fixture_module):
    for name, (analysis, _) in _studies(demo, examples, fixture_module).items():
        ard = analysis.ard
        assert set(ard["analysis"]) <= {str(a) for a in Analysis}, name
        assert set(ard["statistic"]) <= {str(s) for s in Stat}, name
        assert all(type(v) is str for c in ("analysis", "variable", "statistic")
                   for v in ard[c]), name  # plain text, not enum members


def _recording(monkeypatch) -> list[tuple[dict, bool]]:
    """Patch every way :class:`ArdLookup` reads the ARD (``get``, ``denominator``, ``has``,
    ``values``) to record ``(keys, required)``: a required read is one without a default,
    which raises :class:`MissingArdRow` when the row is absent."""
    reads: list[tuple[dict, bool]] = []
    real = {name: getattr(ArdLookup, name) for name in ("get", "denominator", "has", "values")}

    def strict(name):
        def read(self, default=_ard_lookup._REQUIRED, **where):
            reads.append((where, default is _ard_lookup._REQUIRED))
            return real[name](self, default, **where)
        return read

    def has(self, **where):
        reads.append((where, False))
        return real["has"](self, **where)

    def values(self, column, **where):
        reads.append((where, False))
        return real["values"](self, column, **where)

    monkeypatch.setattr(ArdLookup, "get", strict("get"))
    monkeypatch.setattr(ArdLookup, "denominator", strict("denominator"))
    monkeypatch.setattr(ArdLookup, "has", has)
    monkeypatch.setattr(ArdLookup, "values", values)
    return reads


def test_every_key_the_report_reads_is_in_the_ard(demo, examples, fixture_module, monkeypatch):
    """The report is built with a lookup that records each key it reads: every read of a
    required row finds one (else MissingArdRow), and the reads cover every analysis."""
    reads = _recording(monkeypatch)
    for name, (analysis, options) in _studies(demo, examples, fixture_module).items():
        reads.clear()
        build_drawn_report(analysis, options, Problems())
        keys = ArdLookup(analysis.ard)
        required = [w for w, req in reads if req]
        assert required and all(keys.has(**w) for w in required), name
        read = {str(w["analysis"]) for w, _ in reads if "analysis" in w}
        assert set(analysis.ard["analysis"]) <= read, name  # every analysis is reported


def test_the_recorder_sees_every_read(monkeypatch):
    """Each of the lookup's four ways of reading is recorded (so a report path that reads
    through any of them is checked above), and only ``get`` or ``denominator`` without a
    default counts as required."""
    ard = pd.DataFrame([{"analysis": "response", "endpoint": "", "group_var": "",
                         "group_level": "", "variable": "orr", "category": "",
                         "statistic": "n", "value": 3.0, "unit": "", "denominator": 12.0,
                         "method": ""}])
    reads = _recording(monkeypatch)
    a = ArdLookup(ard)
    a.get(analysis=Analysis.RESPONSE, variable=Var.ORR, statistic=Stat.N)
    a.get(analysis=Analysis.RESPONSE, variable=Var.DCR, statistic=Stat.N, default=None)
    a.denominator(analysis=Analysis.SAFETY, variable=Var.ORR, statistic=Stat.N, default=0)
    a.has(analysis=Analysis.BASELINE)
    assert a.values("variable", analysis=Analysis.RESPONSE) == ["orr"]
    assert [(w["analysis"], req) for w, req in reads] == [
        ("response", True), ("response", False), ("safety", False), ("baseline", False),
        ("response", False)]


def test_the_km_figure_prints_the_ard(demo):
    """The numbers at risk under the demo's OS curve are the ARD's at-risk rows, at the
    figure's x ticks."""
    from oncocohort.report.figure_steps import build_report_figures

    analysis, options = demo
    figures = {f.name: f for f in build_report_figures(analysis, options)}
    drawn = figures["km_os"].drawn
    ard = analysis.ard
    rows = ard[(ard.analysis == Analysis.SURVIVAL) & (ard.endpoint == "os")
               & (ard.variable == Var.AT_RISK) & (ard.statistic == Stat.N_AT_RISK)]
    assert drawn.at_risk["n_at_risk"].tolist() == rows["value"].astype(int).tolist()
    assert drawn.at_risk["time"].tolist() == [float(c) for c in rows["category"]]
    ticks = figures["km_os"].figure.axes[0].get_xticks()
    assert list(ticks) == drawn.at_risk["time"].tolist()


def test_the_lookup_is_strict():
    ard = pd.DataFrame([{"analysis": "response", "endpoint": "", "group_var": "",
                         "group_level": "", "variable": "orr", "category": "",
                         "statistic": "n", "value": 3.0, "unit": "", "denominator": 12.0}])
    a = ArdLookup(ard)
    assert a.get(analysis=Analysis.RESPONSE, variable=Var.ORR, statistic=Stat.N) == 3.0
    assert a.denominator(analysis=Analysis.RESPONSE, variable=Var.ORR, statistic=Stat.N) == 12
    with pytest.raises(MissingArdRow, match="'statistic': 'pct'"):
        a.get(analysis=Analysis.RESPONSE, variable=Var.ORR, statistic=Stat.PCT)
    assert a.get(analysis=Analysis.RESPONSE, variable=Var.DCR, statistic=Stat.N,
                 default=-1.0) == -1.0
    with pytest.raises(TypeError, match="statstic"):
        a.get(analysis=Analysis.RESPONSE, variable=Var.ORR, statstic=Stat.N)


def test_values_are_the_filtered_ard_in_order(demo):
    """``values`` (an index built once per column and key set) gives what filtering the ARD
    gives: the distinct values of the column among the matching rows, in ARD order; no match,
    no values."""
    ard = demo[0].ard
    a = ArdLookup(ard)
    checked = 0
    for analysis, endpoint in ard[["analysis", "endpoint"]].drop_duplicates().itertuples(
            index=False):
        for column in ("variable", "group_var", "category", "statistic"):
            rows = ard[(ard["analysis"] == analysis) & (ard["endpoint"] == endpoint)]
            expected = list(dict.fromkeys(rows[column].tolist()))
            assert a.values(column, analysis=analysis, endpoint=endpoint) == expected
            checked += 1
        assert a.values("variable", analysis=analysis) == list(dict.fromkeys(
            ard.loc[ard["analysis"] == analysis, "variable"].tolist()))
    assert checked > 40
    assert a.values("variable", analysis="no such analysis") == []
