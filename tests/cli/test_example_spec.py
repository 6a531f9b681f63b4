"""The example spec users copy is the demo's spec, with paths pointing at the bundled data."""

from __future__ import annotations

from pathlib import Path

from oncocohort.study.demo import demo_spec_path
from oncocohort.spec import load_spec

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "escc-anlotinib-pd1" / "study.yaml"


def test_example_equals_demo_spec_but_for_paths():
    example = EXAMPLE.read_text(encoding="utf-8").replace("../../src/oncocohort/data/demo/", "")
    assert example == demo_spec_path().read_text(encoding="utf-8")


def test_example_loads_and_points_at_the_bundled_data():
    spec = load_spec(EXAMPLE)
    demo = load_spec(demo_spec_path())
    assert spec.sources.patients.path.resolve() == demo.sources.patients.path.resolve()
    assert spec.baseline == demo.baseline and "ecog_group" in spec.baseline
