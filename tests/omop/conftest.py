"""Fixtures of the OMOP tests: one small synthetic database per session, and the engines.

PostgreSQL and Spark tests need services. Without ``CI`` they are skipped when the service is
absent; with ``CI=true`` (see ``.ci/services.sh``) an absent service is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples" / "escc-anlotinib-pd1" / "study-omop.yaml"
PERSONS = 1_500  # 231 screened + background; small enough for Spark local[1]


@pytest.fixture(scope="session")
def omop_spec():
    from oncocohort.spec import load_spec

    return load_spec(SPEC).omop


@pytest.fixture(scope="session")
def omop_chunks():
    from oncocohort.simulate.omop import generate_omop_chunks

    return list(generate_omop_chunks(PERSONS, chunk_size=1_000))


@pytest.fixture(scope="session")
def duckdb_path(tmp_path_factory, omop_chunks):
    from oncocohort.write.synthetic import write_omop_duckdb

    path = tmp_path_factory.mktemp("omop") / "omop.duckdb"
    write_omop_duckdb(str(path), PERSONS, chunk_size=1_000)
    return path


@pytest.fixture(scope="session")
def duckdb_extraction(duckdb_path, omop_spec):
    from oncocohort.sources.omop import connect_cdm, extract_omop_cohort

    return extract_omop_cohort(connect_cdm(f"duckdb://{duckdb_path}"), omop_spec)


@pytest.fixture(scope="session")
def java_available() -> bool:
    return shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))


@pytest.fixture(scope="session")
def helpers():
    """``tests/_omop_compare.py`` (row comparison, loading tables into an engine)."""
    import _omop_compare

    return _omop_compare
