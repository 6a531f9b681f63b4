"""docs/data-model.md agrees with the schema and names every problem code."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from oncocohort.canon.schema import render_markdown

ROOT = Path(__file__).parents[2]
DOC = ROOT / "docs" / "data-model.md"
BEGIN = "<!-- BEGIN GENERATED: python -m oncocohort.canon.schema -->\n"
END = "<!-- END GENERATED -->"


def test_generated_reference_matches_the_schema():
    text = DOC.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    generated = text.split(BEGIN, 1)[1].split(END, 1)[0]
    assert generated == render_markdown(), (
        "docs/data-model.md is stale: rewrite its reference part with "
        "`python -m oncocohort.canon.schema`")


def test_every_problem_code_of_the_fixtures_is_documented():
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_]+)`", text))
    fixtures = ROOT / "tests" / "fixtures"
    codes = set()
    for f in [*fixtures.glob("problems/*/expected.csv"), fixtures / "many_problems" /
              "expected.csv"]:
        codes |= set(pd.read_csv(f, dtype=str)["code"])
    assert codes - documented == set()
    assert len(codes) >= 30
