"""docs/study-spec.md: its example loads and its reference names every field."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel

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
