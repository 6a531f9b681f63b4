"""The study found in an OMOP CDM database, end to end through the CLI (DuckDB, embedded).

The synthetic OMOP database holds the demo's 231 screened patients among other patients, so
selecting the cohort there and analysing it must give exactly the tabular demo's results.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from oncocohort.cli import ExitStatus, main
from oncocohort.study.demo import demo_spec_path

ROOT = Path(__file__).parents[2]
OMOP_EXAMPLE = ROOT / "examples" / "escc-anlotinib-pd1" / "study-omop.yaml"


def run(argv: list[str]) -> tuple[int, str]:
    buf = io.StringIO()
    code = main(argv, console=Console(file=buf, width=300, color_system=None))
    return code, buf.getvalue()


@pytest.fixture(scope="module")
def omop_db(tmp_path_factory) -> Path:
    from oncocohort.write.synthetic import write_omop_duckdb

    path = tmp_path_factory.mktemp("cdm") / "omop.duckdb"
    write_omop_duckdb(str(path), 1_500, chunk_size=1_000)
    return path


@pytest.mark.regression
def test_demo_from_database_gives_the_tabular_demo_results(tmp_path):
    tab, db = tmp_path / "tab", tmp_path / "db"
    assert run(["demo", "--out", str(tab)])[0] == ExitStatus.OK
    code, out = run(["demo", "--from-database", "--out", str(db)])
    assert code == ExitStatus.OK, out
    assert "OMOP" in out and "Traceback" not in out
    # Every number: the analysis-results dataset and every table, byte for byte.
    for rel in ["results/ard.csv", *(f"tables/{p.name}" for p in (tab / "tables").iterdir())]:
        assert (db / rel).read_bytes() == (tab / rel).read_bytes(), rel
    # The flowchart is the database's attrition: the published 231 -> 87 with the OMOP rules.
    attrition = pd.read_csv(db / "datasets" / "attrition.csv")
    assert attrition["n_before"].iloc[0] == 231 and attrition["n_remaining"].iloc[-1] == 87
    exc = attrition[attrition["kind"] == "exclusion"].set_index("rule")["n_excluded"]
    assert exc[["records_incomplete", "other_malignancy", "brain_metastases"]].tolist() == [
        16, 11, 4]
    assert "adenocarcinoma" in set(exc.index)  # a rule of the OMOP spec only (0 excluded)
    html = (db / "report.html").read_text(encoding="utf-8")
    assert "OMOP Common Data Model" in html
    assert "OMOP Common Data Model" not in (tab / "report.html").read_text(encoding="utf-8")
    # the temporary database is gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db", "tab"]


def test_spec_with_a_relative_database_path_validates_and_runs(tmp_path, omop_db):
    shutil.copy(omop_db, tmp_path / "omop.duckdb")
    shutil.copy(OMOP_EXAMPLE, tmp_path / "study.yaml")  # url: omop.duckdb (next to the YAML)
    code, out = run(["validate", str(tmp_path / "study.yaml")])
    assert code == ExitStatus.OK, out
    assert "Cohort selection (in the OMOP CDM, duckdb)" in out
    assert "brain_metastases" in out and "No errors." in out
    code, out = run(["run", str(tmp_path / "study.yaml"), "--out", str(tmp_path / "out")])
    assert code == ExitStatus.OK, out
    assert len(pd.read_csv(tmp_path / "out" / "datasets" / "patients.csv")) == 87


def test_database_option_overrides_the_spec_url(tmp_path, omop_db):
    code, out = run(["validate", str(OMOP_EXAMPLE), "--database", str(omop_db)])
    assert code == ExitStatus.OK, out


def test_missing_database_is_a_user_error(tmp_path):
    missing = tmp_path / "nowhere.duckdb"
    code, out = run(["run", str(OMOP_EXAMPLE), "--database", str(missing),
                     "--out", str(tmp_path / "out")])
    assert code == ExitStatus.INPUT
    # the option given on the command line is named, not the spec's database.url
    assert "--database: database file" in out and "does not exist" in out
    assert "Traceback" not in out
    assert not (tmp_path / "out").exists()
    # the same file named by the spec points at the spec
    spec = tmp_path / "study.yaml"
    spec.write_text(OMOP_EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    code, out = run(["validate", str(spec)])
    assert code == ExitStatus.INPUT and f"{spec}, database.url: database file" in out


def test_database_option_on_a_file_spec_is_a_user_error(tmp_path):
    code, out = run(["validate", str(demo_spec_path()), "--database", "x.duckdb"])
    assert code == ExitStatus.INPUT
    assert "reads files" in out


def test_bundled_omop_demo_spec_is_the_example():
    assert demo_spec_path(omop=True).read_text(encoding="utf-8") == OMOP_EXAMPLE.read_text(
        encoding="utf-8")


def test_run_on_postgresql_gives_the_duckdb_results(tmp_path, omop_db):
    """The same spec on PostgreSQL (``--database postgres://...``): identical outputs.

    Runs in CI (``.ci/services.sh`` starts PostgreSQL); elsewhere it skips without a server.
    """
    import os

    import duckdb
    import ibis

    url = os.environ.get("ONCOCOHORT_TEST_POSTGRES_URL",
                         "postgres://onco:onco@127.0.0.1:5432/omop_test")
    try:
        con = ibis.connect(url)
        con.raw_sql("select 1")
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no service"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"PostgreSQL at {url} is required in CI ({type(exc).__name__})")
        pytest.skip(f"PostgreSQL not available ({type(exc).__name__})")
    import _omop_compare as helpers

    src = duckdb.connect(str(omop_db), read_only=True)
    try:
        frames = {t: src.sql(f'select * from "{t}"').df() for (t,) in src.sql("show tables")
                  .fetchall()}
    finally:
        src.close()
    helpers.load_tables(con, frames)

    pg, dk = tmp_path / "pg", tmp_path / "dk"
    code, out = run(["run", str(OMOP_EXAMPLE), "--database", url, "--out", str(pg)])
    assert code == ExitStatus.OK, out
    assert run(["run", str(OMOP_EXAMPLE), "--database", str(omop_db), "--out", str(dk)])[0] == 0
    for rel in ["results/ard.csv", "datasets/attrition.csv",
                *(f"tables/{p.name}" for p in (dk / "tables").iterdir())]:
        assert (pg / rel).read_bytes() == (dk / rel).read_bytes(), rel


def test_simulated_database_with_episodes_gives_the_same_cohort(tmp_path, omop_db):
    db = tmp_path / "episodes.duckdb"
    code, out = run(["simulate", "omop", "--persons", "400", "--episodes", "--out", str(db),
                     "--no-progress"])
    assert code == ExitStatus.OK, out
    code, out = run(["validate", str(OMOP_EXAMPLE), "--database", str(db)])
    assert code == ExitStatus.OK, out
    assert "Lines of therapy from: episodes" in out
    code, plain = run(["validate", str(OMOP_EXAMPLE), "--database", str(omop_db)])
    assert "Lines of therapy from: drug_exposure" in plain
    # the same attrition table either way (the episodes encode the same lines)
    table = out[out.index("Cohort selection"):out.index("Lines of therapy")]
    assert table == plain[plain.index("Cohort selection"):plain.index("Lines of therapy")]


def test_a_database_that_cannot_be_opened_is_a_user_error(tmp_path):
    bad = tmp_path / "bad.duckdb"
    bad.write_text("not a database", encoding="utf-8")
    code, out = run(["validate", str(OMOP_EXAMPLE), "--database", str(bad)])
    assert code == ExitStatus.INPUT and "Traceback" not in out
    assert "--database: cannot open the duckdb database" in out
    # an unreachable server: the driver's message, the password masked
    code, out = run(["validate", str(OMOP_EXAMPLE), "--database",
                     "postgres://someone:s3cret@127.0.0.1:1/cdm"])
    assert code == ExitStatus.INPUT and "Traceback" not in out
    assert "cannot open the postgres database postgres://someone:***@127.0.0.1:1/cdm" in out
    assert "s3cret" not in out


def _copy_db(src: Path, dst: Path, *sql: str) -> Path:
    import duckdb

    shutil.copy(src, dst)
    con = duckdb.connect(str(dst))
    try:
        for q in sql:
            con.execute(q)
    finally:
        con.close()
    return dst


def test_a_table_the_spec_needs_is_missing(tmp_path, omop_db):
    db = _copy_db(omop_db, tmp_path / "nomeas.duckdb", "drop table measurement")
    code, out = run(["validate", str(OMOP_EXAMPLE), "--database", str(db)])
    assert code == ExitStatus.INPUT and "Traceback" not in out
    assert "the database has no measurement table" in out


def test_a_malformed_source_value_names_table_column_and_subject(tmp_path, omop_db):
    db = _copy_db(omop_db, tmp_path / "badjson.duckdb",
                  "update condition_occurrence set condition_status_source_value = "
                  "'{\"grade\": 2, \"related\": tru' where condition_occurrence_id = ("
                  "select min(condition_occurrence_id) from condition_occurrence "
                  "where condition_type_concept_id = 2000000900 and person_id <= 231 "
                  "and condition_status_source_value like '{%')")
    code, out = run(["validate", str(OMOP_EXAMPLE), "--database", str(db)])
    if code == ExitStatus.OK:  # the record may belong to a patient outside the cohort
        pytest.skip("the altered record is not one of the cohort's")
    assert code == ExitStatus.INPUT and "Traceback" not in out
    assert "condition_status_source_value is not valid JSON" in out and "ESCC-" in out
    assert "tru'" not in out and '"related": tru' not in out  # the value itself is not quoted


def test_episodes_asked_for_but_empty_is_an_error(tmp_path, omop_db):
    text = OMOP_EXAMPLE.read_text(encoding="utf-8").replace("source: auto", "source: episodes")
    assert "source: episodes" in text
    spec = tmp_path / "study.yaml"
    spec.write_text(text, encoding="utf-8")
    code, out = run(["validate", str(spec), "--database", str(omop_db)])
    assert code == ExitStatus.INPUT and "Traceback" not in out
    assert "lines.source is 'episodes'" in out and "empty" in out


def test_password_is_masked_in_every_form():
    from oncocohort.sources.omop.connect import redact_url

    assert redact_url("postgres://u:p@ss@h/db") == "postgres://u:***@h/db"
    assert (redact_url("postgres://u@h:1/db?password=hunter2&x=1")
            == "postgres://u@h:1/db?password=***&x=1")
    assert redact_url("postgres://u@h/db") == "postgres://u@h/db"


def test_parquet_dir_is_for_pyspark_only(omop_db, tmp_path):
    from oncocohort.problems import InputError
    from oncocohort.sources.omop import connect_cdm

    with pytest.raises(InputError) as err:
        connect_cdm(str(omop_db), parquet_dir=tmp_path)
    assert [p.location for p in err.value.problems] == ["database.parquet_dir"]


@pytest.mark.parametrize("argv", [["simulate", "omop", "--persons", "100"],
                                  ["simulate", "escc", "--patients", "0"],
                                  ["demo", "--from-database", "--persons", "100"]])
def test_too_small_synthetic_sizes_are_user_errors(tmp_path, argv):
    code, out = run([*argv, "--out", str(tmp_path / "x")])
    assert code == ExitStatus.INPUT and "Traceback" not in out and "must be at least" in out
    assert not (tmp_path / "x").exists()
