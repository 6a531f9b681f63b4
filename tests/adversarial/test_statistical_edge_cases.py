"""Item 12: statistical edge cases complete the run with honest output.

* An endpoint with no events (an early cut-off: nobody has died) finishes: the univariable
  Cox screen is not fitted, its hazard ratios are "not estimable" (NE) with the reason in the
  table's footnote and in the ARD (``not_estimable`` rows, ``category`` the reason).
* A coefficient that is infinite (monotone likelihood: a level in which nobody dies) is shown
  as NE with the reason on the table and the forest plot, never ``593888525.54 (0.00-NE)``.
* A study with no tumour-assessment source runs without the response sections.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from oncocohort.report.assemble import forest_rows
from oncocohort.report.options import ReportOptions

NO_EVENTS = "NE, not estimable: no patient had an event"
MONOTONE = "NE, not estimable: the Cox likelihood is monotone"
HUGE = re.compile(r"\d{5,}\.\d+ \(")  # a hazard ratio of 10000 or more, with its interval


def _nobody_dies(demo, where=lambda row: True) -> None:
    """Clear the death dates (and a death as end-of-treatment reason) of the rows chosen."""
    rows = demo.rows("patients.csv")
    h = rows[0]
    death, reason = h.index("death_date"), h.index("eot_reason")
    for r in rows[1:]:
        if where(dict(zip(h, r, strict=True))):
            r[death] = ""
            if r[reason] == "death":
                r[reason] = "other"
    demo.write_rows("patients.csv", rows)


def _no_huge_numbers(folder) -> None:
    for path in sorted((folder / "tables").glob("*.csv")):
        assert not HUGE.search(path.read_text(encoding="utf-8")), path.name


def test_an_endpoint_without_events_completes_with_not_estimable(demo, tmp_path):
    _nobody_dies(demo)
    out = demo.run(tmp_path / "out")
    assert out.code == 0, out.output
    assert "Traceback" not in out.output and "internal error" not in out.output
    folder = tmp_path / "out"
    table = (folder / "tables" / "subgroups_os.csv").read_text(encoding="utf-8")
    assert ",NE," in table and NO_EVENTS in table
    ard = pd.read_csv(folder / "results" / "ard.csv", dtype=str, keep_default_na=False)
    os_hr = ard[(ard.analysis == "cox_univariable") & (ard.endpoint == "os")
                & (ard.variable == "hr")]
    assert set(os_hr.statistic) == {"not_estimable"}
    assert set(os_hr.category) == {"no events"}
    assert not ((ard.analysis == "cox_multivariable") & (ard.endpoint == "os")
                & (ard.statistic == "selected") & (ard.value != "0.0")).any()
    # PFS still has its events and its hazard ratios
    assert ((ard.analysis == "cox_univariable") & (ard.endpoint == "pfs")
            & (ard.statistic == "hr")).any()
    _no_huge_numbers(folder)


def test_an_infinite_coefficient_is_not_estimable_on_table_and_forest(demo, tmp_path):
    _nobody_dies(demo, lambda r: r["pd1_antibody"] == "pembrolizumab")
    out = demo.run(tmp_path / "out")
    assert out.code == 0, out.output
    folder = tmp_path / "out"
    table = (folder / "tables" / "subgroups_os.csv").read_text(encoding="utf-8")
    assert "  Pembrolizumab,17,0,NR,,NE,," in table and MONOTONE in table
    _no_huge_numbers(folder)
    ard = pd.read_csv(folder / "results" / "ard.csv", dtype=str, keep_default_na=False)
    ne = ard[(ard.statistic == "not_estimable") & (ard.endpoint == "os")]
    assert ne[["analysis", "group_var", "group_level", "category"]].values.tolist() == [
        ["cox_univariable", "pd1_antibody", "Pembrolizumab", "monotone likelihood"]]
    # the forest plot's rows, from the ARD: no point, the reason where the estimate would be
    rows = forest_rows(ard.assign(value=pd.to_numeric(ard.value),
                                  denominator=pd.to_numeric(ard.denominator)),
                       "os", ReportOptions("x", dt.date(2025, 7, 5), "index"))
    pem = rows[rows.label == "Pembrolizumab"].iloc[0]
    assert pd.isna(pem.hr) and pem.hr_text == "NE (monotone likelihood)"
    svg = (folder / "figures" / "forest_os.svg").read_text(encoding="utf-8")
    assert "monotone likelihood" in svg
    # the fit's warning among the data-quality notes, in the report's words (issue 16)
    html = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (folder / "report.html").read_text(
        encoding="utf-8")))
    assert ("Univariable Cox model of overall survival by PD-1 antibody: log-likelihood "
            "converged before coefficient(s) of PD-1 antibody Pembrolizumab;") in html
    assert "pd1_antibody" not in html


def test_a_study_without_tumour_assessments_runs_without_response_sections(demo, tmp_path):
    demo.edit_spec(lambda s: s["sources"].pop("lesions"))
    # PFS and DoR need the assessments: naming them is an error, not OS under their names
    out = demo.run(tmp_path / "out")
    assert out.code == 2 and "endpoints.pfs.events" in out.output, out.output
    assert "endpoints.dor.start" in out.output and not (tmp_path / "out").exists()

    def os_only(s):
        s["endpoints"] = {"os": s["endpoints"]["os"]}
    demo.edit_spec(os_only)
    out = demo.run(tmp_path / "out")
    assert out.code == 0, out.output
    folder = tmp_path / "out"
    assert not (folder / "tables" / "response.csv").exists()
    assert not list((folder / "figures").glob("waterfall*"))
    assert (folder / "tables" / "survival.csv").exists()
    ard = pd.read_csv(folder / "results" / "ard.csv", dtype=str, keep_default_na=False)
    assert "response" not in set(ard.analysis)
