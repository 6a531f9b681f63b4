"""The example spec users copy is the demo's spec, with paths pointing at the bundled data."""

from __future__ import annotations

import io
import re
from pathlib import Path

from rich.console import Console

from oncocohort.cli import main
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


LUNG = ROOT / "examples" / "lung-os"
COHORTS = ROOT / "tests" / "fixtures" / "cohorts"


def _body(text: str) -> str:
    """The spec without its leading comment lines."""
    lines = text.splitlines(keepends=True)
    return "".join(lines[next(i for i, line in enumerate(lines)
                              if not line.startswith("#")):])


def test_lung_example_is_the_tested_english_lung_study():
    """examples/lung-os is tests/fixtures/cohorts/lung_en.yaml (run end to end and checked
    against R by tests/cohorts/test_headers_and_codes.py and test_os_only.py) but for its
    comments and the workbook's name; the workbooks are the same bytes."""
    example = _body((LUNG / "study.yaml").read_text(encoding="utf-8"))
    tested = _body((COHORTS / "lung_en.yaml").read_text(encoding="utf-8"))
    assert example.count("file: lung.xlsx") == 1
    assert example.replace("file: lung.xlsx", "file: lung_en.xlsx") == tested
    assert (LUNG / "lung.xlsx").read_bytes() == (COHORTS / "lung_en.xlsx").read_bytes()


def test_lung_example_validates_as_it_stands():
    buf = io.StringIO()
    code = main(["validate", str(LUNG / "study.yaml")],
                console=Console(file=buf, width=300, color_system=None))
    said = buf.getvalue()
    assert code == 0 and "No errors." in said and "warning" not in said, said
    assert re.search(r"exclusion\s+weight_loss\s+4\s+224", said), said
