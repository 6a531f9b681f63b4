"""The index date's default wording follows the spec: the studied regimen only when there is one."""

from __future__ import annotations

import pytest

from oncocohort.spec.model import StudySpec
from oncocohort.study.options import StudyOptions


def _label(**extra) -> tuple[str, str]:
    spec = StudySpec.model_validate({
        "study": {"name": "t", "data_cutoff": "2025-01-01", **extra.pop("study", {})},
        "sources": {"patients": {"file": "p.csv"}, **extra.pop("sources", {})},
        "endpoints": {"os": {"label": "OS", "events": ["death"], "censor": ["last_alive"]}},
        **extra})
    report = StudyOptions.from_spec(spec).report
    return report.index_date_label, report.time_origin("os")


@pytest.mark.parametrize(("extra", "label"), [
    ({}, "index date"),
    ({"sources": {"therapy": {"file": "t.csv"}}}, "start of the studied regimen"),
    ({"sources": {"therapy_lines": {"file": "l.csv"}}}, "start of the studied regimen"),
    ({"safety": {"regimen_drugs": ["anlotinib"]}}, "start of the studied regimen"),
    ({"study": {"index_date_label": "start of treatment"}}, "start of treatment"),
])
def test_default_index_date_label(extra, label):
    assert _label(**extra) == (label, label)
