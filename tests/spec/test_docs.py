"""docs/study-spec.md: its example loads and its reference names every field."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from oncocohort.spec import comparisons, model, spec_from_dict
from oncocohort.spec.load import _SpecLoader

ROOT = Path(__file__).parents[2]
DOC = (ROOT / "docs" / "study-spec.md").read_text(encoding="utf-8")


def test_doc_example_is_a_valid_spec() -> None:
    block = re.search(r"```yaml\n(.*?)```", DOC, re.S).group(1)
    data = yaml.load(block, Loader=_SpecLoader)
    # the example's data paths exist next to the test fixture spec
    spec = spec_from_dict(data, base_dir=Path(__file__).parent / "fixtures")
    assert spec.sources.wide.ae_related is True
    assert spec.conventions.response.sd_min_days == 42


def test_reference_names_every_field() -> None:
    models = [getattr(mod, name) for mod in (model, comparisons) for name in mod.__all__
              if isinstance(getattr(mod, name), type)
              and issubclass(getattr(mod, name), BaseModel)]
    missing = [f"{m.__name__}.{f.alias or n}" for m in models for n, f in m.model_fields.items()
               if f"`{f.alias or n}`" not in DOC]
    assert missing == []


def _blocks() -> list[tuple[int, str]]:
    """Every fenced block of the page that parses as a YAML mapping: (line, text)."""
    out = []
    for m in re.finditer(r"```(?:yaml)?\n(.*?)```", DOC, re.S):
        try:
            data = yaml.load(m.group(1), Loader=_SpecLoader)
        except yaml.YAMLError:
            continue
        if isinstance(data, dict):
            out.append((DOC[:m.start()].count("\n") + 1, m.group(1)))
    return out


def test_every_snippet_loads_in_the_example() -> None:
    """Every YAML snippet of the page, put into the complete example (top-level blocks
    replace the example's, ``sources`` and ``endpoints`` entries are added to its; a bare
    ``name: {label: ...}`` is an endpoint), validates against the spec model: a misspelt or
    stale key in the reference is an error here (the models forbid unknown keys)."""
    blocks = _blocks()
    assert len(blocks) >= 15
    base = yaml.load(blocks[0][1], Loader=_SpecLoader)
    fixtures = Path(__file__).parent / "fixtures"
    failed = []
    for line, text in blocks[1:]:
        snippet = yaml.load(text, Loader=_SpecLoader)
        merged = copy.deepcopy(base)
        if set(snippet) <= set(model.StudySpec.model_fields):
            for key, value in snippet.items():
                if key in ("sources", "endpoints"):
                    merged[key].update(value)
                else:
                    merged[key] = value
        else:
            merged["endpoints"].update(snippet)
        try:
            model.StudySpec.model_validate(merged, context={
                "base_dir": fixtures, "spec_path": fixtures / "study.yaml"})
        except ValidationError as exc:
            failed.append((line, [(e["loc"], e["msg"]) for e in exc.errors()]))
    assert failed == []


def test_a_stale_key_in_a_snippet_would_be_caught() -> None:
    base = yaml.load(_blocks()[0][1], Loader=_SpecLoader)
    base["endpoints"]["os"]["censored"] = ["last_alive"]
    with pytest.raises(ValidationError):
        model.StudySpec.model_validate(base)
