"""Item 8: spec values that would crash the run are spec errors at their YAML path.

Infinite or not-a-number values, day counts no calendar can hold and encodings Python does
not know are found when the spec is read: exit 2, the YAML path named, no traceback.
"""

from __future__ import annotations

import pytest

from adversarial._study import assert_user_error

CASES = [  # (text in the demo spec, replacement, YAML path named)
    ("landmarks: [12, 24]", "landmarks: [12, .inf]", "landmarks[1]"),
    ("landmarks: [12, 24]", "landmarks: [.nan]", "landmarks[0]"),
    ("cycle_days: 21", "cycle_days: 99999999999999999999999999999", "regimen.cycle_days"),
    ("delay_days: 7", "delay_days: .inf", "regimen.delay_days"),
    ("days_per_month: 30.4375", "days_per_month: .inf", "conventions.days_per_month"),
    ("days_per_month: 30.4375", "days_per_month: 1e-300", "conventions.days_per_month"),
    ("treatment_emergent_days: 30", "treatment_emergent_days: 10000000000",
     "conventions.treatment_emergent_days"),
    ("sd_min_days: 42", "sd_min_days: 99999999999", "conventions.response.sd_min_days"),
    ("{kind: daily, days_on: 14}", "{kind: daily, days_on: 1e20}",
     "regimen.drugs.anlotinib.days_on"),
    ("{kind: infusion, dose: 200}", "{kind: infusion, dose: .inf}",
     "regimen.drugs.tislelizumab.dose"),
    ("cut: [63]", "cut: [-.inf]", "subgroups[0].derive.cut[0]"),
    ("screen: {threshold: 0.05", "screen: {threshold: .nan", "screen.threshold"),
    ("data_cutoff: 2025-07-05", "data_cutoff: 1500-06-15", "study.data_cutoff"),
]


@pytest.mark.parametrize("old, new, where", CASES, ids=[c[2] for c in CASES])
def test_a_value_that_would_crash_is_a_spec_error(demo, tmp_path, old, new, where):
    text = demo.spec_path.read_text(encoding="utf-8")
    assert old in text
    demo.write_spec_text(text.replace(old, new, 1))
    assert_user_error(demo.validate(), f"study.yaml, {where}:")
    assert_user_error(demo.run(tmp_path / "out"), f"study.yaml, {where}:")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("encoding", ["no-such-codec", "base64", "rot13"])
def test_an_unknown_encoding_is_a_spec_error(demo, encoding):
    demo.edit_spec(lambda s: s["sources"]["patients"].update(encoding=encoding))
    assert_user_error(demo.validate(), "sources.patients.encoding",
                      f"unknown text encoding '{encoding}'")


def test_a_known_encoding_reads_the_file(demo):
    text = (demo.folder / "patients.csv").read_text(encoding="utf-8")
    (demo.folder / "patients.csv").write_bytes(text.replace("middle", "中段").encode("gb18030"))
    demo.edit_spec(lambda s: s["sources"]["patients"].update(encoding="gb18030"))
    outcome = demo.validate()
    assert outcome.code == 0, outcome.output


def test_every_crashing_value_is_reported_together(demo):
    text = demo.spec_path.read_text(encoding="utf-8")
    for old, new, _ in (CASES[0], CASES[2], CASES[4]):
        text = text.replace(old, new, 1)
    demo.write_spec_text(text)
    demo.edit_spec(lambda s: s["sources"]["patients"].update(encoding="no-such-codec"))
    assert_user_error(demo.validate(), "landmarks[1]", "regimen.cycle_days",
                      "conventions.days_per_month", "sources.patients.encoding")
