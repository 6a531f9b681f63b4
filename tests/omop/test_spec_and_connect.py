"""The ``database:``/``omop:`` spec blocks and the connection URL: errors name their place."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncocohort.problems import InputError
from oncocohort.sources.omop import connect_cdm, parse_database_url
from oncocohort.spec import load_spec
from oncocohort.spec.database import Criterion

BASE = """
study: {name: t, data_cutoff: 2025-07-05}
database: {url: duckdb://omop.duckdb}
omop:
  concept_sets: {c: {concepts: [1]}, d: {source_values: [x]}}
  entry: {condition: c, drugs: [d], study_start: 2019-01-01, study_end: 2020-01-01}
  index: {anchor: d, partner: d}
"""


def _problems(text: str, tmp_path: Path) -> list:
    path = tmp_path / "study.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as exc:
        load_spec(path)
    return list(exc.value.problems.items)


def test_a_valid_spec_resolves_the_file_against_the_yaml_folder(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text(BASE)
    spec = load_spec(path)
    db, omop = spec.database, spec.omop
    assert parse_database_url(db.url, db.base_dir) == ("duckdb", str(tmp_path / "omop.duckdb"))
    assert omop.index.within_days == 21


def test_unknown_concept_set_is_named(tmp_path):
    text = BASE + "  inclusion: [{name: r, all_of: [{condition: nope}]}]\n"
    (p,) = _problems(text, tmp_path)
    assert p.location == "omop" and "nope" in p.message


def test_missing_block_is_named(tmp_path):
    (p,) = _problems("study: {name: t, data_cutoff: 2025-07-05}\n"
                     "database: {url: x.duckdb}\n", tmp_path)
    assert "give both or neither" in p.message


def test_criterion_needs_exactly_one_kind():
    with pytest.raises(ValueError, match="exactly one"):
        Criterion(condition="a", drug="b")
    with pytest.raises(ValueError, match="value"):
        Criterion(measurement="ecog")
    with pytest.raises(ValueError, match="lo <= hi"):
        Criterion(condition="a", window=(0, -30))


def test_error_location_is_the_yaml_path(tmp_path):
    text = BASE.replace("partner: d}", "partner: d, within_days: -1}")
    (p,) = _problems(text, tmp_path)
    assert p.location == "omop.index.within_days"


@pytest.mark.parametrize(("url", "expected"), [
    ("duckdb:///data/omop.duckdb", ("duckdb", "/data/omop.duckdb")),
    ("omop.duckdb", ("duckdb", "/base/omop.duckdb")),
    ("postgresql://u:p@h:5432/db", ("postgres", "postgres://u:p@h:5432/db")),
    ("pyspark", ("pyspark", None)),
])
def test_parse_database_url(url, expected):
    assert parse_database_url(url, Path("/base")) == expected


def test_bad_url_and_missing_file_are_input_errors(tmp_path):
    with pytest.raises(InputError) as exc:
        parse_database_url("mysql://x")
    (p,) = exc.value.problems.items
    assert "duckdb:///" in p.message and p.location == "database.url"
    with pytest.raises(InputError) as exc:
        connect_cdm(f"duckdb://{tmp_path / 'none.duckdb'}")
    assert "does not exist" in exc.value.problems.items[0].message


def test_missing_cdm_table_is_an_input_error():
    import ibis

    con = ibis.duckdb.connect()
    con.create_table("person", schema={"person_id": "int64"})
    with pytest.raises(InputError) as exc:
        connect_cdm("duckdb://:memory:", backend=con)
    assert "observation_period" in exc.value.problems.items[0].message
