"""The results summary of a two-group study (Table 1 split by a variable of two levels,
``baseline_by``): per endpoint, the two medians, the hazard ratio against the reference level
and the log-rank p, all read from the ARD.

Tier: ``by_hand``. A small ARD typed here; the expected sentences written out.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from oncocohort.analysis.ard import ArdRow, ard_frame
from oncocohort.report.options import ReportOptions
from oncocohort.report.text import results_sentences

pytestmark = pytest.mark.by_hand

NAN = math.nan
OPTIONS = ReportOptions(title="t", data_cutoff=dt.date(2024, 1, 1),
                        index_date_label="start of treatment",
                        labels={"arm": "Treatment", "os": "Overall survival"})


def _ard(*, levels=("Standard", "Test"), by="arm", hr_level="Test",
         medians=((3.4, 1.8, 4.1), (NAN, 1.4, NAN)), p=0.0123):
    rows = [ArdRow("population", "n", 20.0, variable="patients"),
            ArdRow("survival", "n", 20.0, endpoint="os", variable="patients"),
            ArdRow("survival", "n", 12.0, endpoint="os", variable="events"),
            ArdRow("survival", "pct", 60.0, endpoint="os", variable="maturity"),
            ArdRow("survival", "median", 3.0, endpoint="os", variable="median"),
            ArdRow("survival", "lower", 2.0, endpoint="os", variable="median"),
            ArdRow("survival", "upper", 5.0, endpoint="os", variable="median"),
            ArdRow("baseline", "n", 20.0, variable="patients")]
    for lv, (m, lo, up) in zip(levels, medians, strict=False):
        if by:
            rows.append(ArdRow("baseline", "n", 10.0, variable="patients", group_var=by,
                               group_level=lv))
        w = {"endpoint": "os", "group_var": "arm", "group_level": lv, "variable": "median"}
        rows += [ArdRow("subgroup", "median", m, **w), ArdRow("subgroup", "lower", lo, **w),
                 ArdRow("subgroup", "upper", up, **w)]
    if hr_level:
        h = {"endpoint": "os", "group_var": "arm", "group_level": hr_level, "variable": "hr"}
        rows += [ArdRow("cox_univariable", st, v, **h)
                 for st, v in (("hr", 0.5), ("lower", 0.25), ("upper", 0.994), ("p", 0.04))]
    rows.append(ArdRow("subgroup", "p", p, endpoint="os", group_var="arm", variable="logrank"))
    return ard_frame(rows)


def _comparison(ard, options=OPTIONS):
    said = [s for s in results_sentences(ard, options) if s.startswith("By ")]
    assert len(said) <= 1
    return said[0] if said else None


def test_medians_hazard_ratio_and_log_rank_p():
    assert _comparison(_ard()) == (
        "By treatment, the median overall survival was 3.4 months (95% CI 1.8-4.1) for "
        "Standard and not reached for Test (HR for Test versus Standard 0.50, 95% CI "
        "0.25-0.99; log-rank p = 0.012).")


def test_the_reference_level_comes_first():
    # the hazard ratio is Standard's: Test is the reference (variables.arm.reference)
    assert _comparison(_ard(hr_level="Standard", p=0.0004)) == (
        "By treatment, the median overall survival was not reached for Test and 3.4 months "
        "(95% CI 1.8-4.1) for Standard (HR for Standard versus Test 0.50, 95% CI 0.25-0.99; "
        "log-rank p < 0.001).")


def test_journal_style_and_no_cox_model():
    jama = ReportOptions(title="t", data_cutoff=dt.date(2024, 1, 1),
                           index_date_label="start of treatment", labels=OPTIONS.labels,
                           journal_style="jama")
    assert _comparison(_ard(hr_level="", medians=((3.4, 1.8, 4.1), (1.7, 1.4, 3.0))),
                       jama) == (
        "By treatment, the median overall survival was 3.4 months (95% CI, 1.8 to 4.1) for "
        "Standard and 1.7 months (95% CI, 1.4 to 3.0) for Test (log-rank p = 0.012).")


@pytest.mark.parametrize("ard", [
    _ard(by=""),  # Table 1 not split: no comparison declared
    _ard(by="sex"),  # split by a variable the endpoint was not analysed by
    _ard(levels=("A", "B", "C"), medians=((1, 0, 2),) * 3),  # three groups
], ids=["no baseline_by", "another variable", "three groups"])
def test_no_sentence_without_a_two_group_comparison(ard):
    assert _comparison(ard) is None
