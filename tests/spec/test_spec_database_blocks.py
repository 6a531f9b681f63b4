"""``database:`` and ``omop:`` in the study spec: an OMOP CDM instead of data files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from oncocohort.study.demo import demo_spec_path
from oncocohort.study.options import StudyOptions
from oncocohort.problems import InputError
from oncocohort.spec import load_spec, spec_from_dict
from oncocohort.spec.load import _SpecLoader

ROOT = Path(__file__).parents[2]
OMOP_EXAMPLE = ROOT / "examples" / "escc-anlotinib-pd1" / "study-omop.yaml"


def _raw(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_SpecLoader)


def _problems(data: dict) -> dict[str, str]:
    with pytest.raises(InputError) as info:
        spec_from_dict(data, base_dir=OMOP_EXAMPLE.parent, file="study.yaml")
    return {p.location: p.message for p in info.value.problems}


def test_omop_example_loads_without_sources():
    spec = load_spec(OMOP_EXAMPLE)
    assert spec.from_database and spec.sources is None
    assert spec.database.url == "omop.duckdb"
    assert spec.database.base_dir == OMOP_EXAMPLE.parent  # relative paths: the YAML's folder
    assert [r.name for r in spec.omop.exclusion][-1] == "brain_metastases"
    assert spec.cohort.inclusion == [] and spec.cohort.reported is None
    assert StudyOptions.from_spec(spec).validation.date_formats == {}
    assert not load_spec(demo_spec_path()).from_database


def test_omop_example_analyses_the_same_study_as_the_tabular_demo():
    # Only where the data come from differs; every analysis block is the demo's.
    omop, tab = _raw(OMOP_EXAMPLE), _raw(demo_spec_path())
    for key in ("sources", "cohort", "database", "omop"):
        omop.pop(key, None)
        tab.pop(key, None)
    assert omop == tab


def test_sources_and_database_together_are_an_error():
    data = _raw(OMOP_EXAMPLE)
    data["sources"] = _raw(demo_spec_path())["sources"]
    found = _problems(data)
    assert any("either 'sources'" in m for m in found.values()), found


@pytest.mark.parametrize("drop", ["database", "omop"])
def test_database_and_omop_go_together(drop):
    data = _raw(OMOP_EXAMPLE)
    del data[drop]
    found = _problems(data)
    assert any("give both or neither" in m for m in found.values()), found


def test_no_data_at_all_is_an_error():
    data = _raw(OMOP_EXAMPLE)
    del data["database"], data["omop"]
    found = _problems(data)
    assert any("names no data" in m for m in found.values()), found


def test_cohort_rules_with_omop_are_an_error():
    data = _raw(OMOP_EXAMPLE)
    data["cohort"] = {"inclusion": [{"name": "adult", "rule": "age >= 18"}]}
    found = _problems(data)
    assert any("omop.inclusion" in m for m in found.values()), found


def test_an_error_inside_omop_names_its_yaml_path():
    data = _raw(OMOP_EXAMPLE)
    data["omop"]["index"]["within_days"] = -1
    data["database"]["urll"] = "x"
    found = _problems(data)
    assert "omop.index.within_days" in found
    assert "database.urll" in found and "unknown field" in found["database.urll"]
