"""Fixtures of the OMOP tests: one small synthetic database per session, and the engines.

PostgreSQL and Spark tests need services. Without ``CI`` they are skipped when the service is
absent; with ``CI=true`` (see ``tests/omop/ci_services.sh``) an absent service is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples" / "escc-anlotinib-pd1" / "study-omop.yaml"
PERSONS = 1_500  # 231 screened + background; small enough for Spark local[1]


def service_missing(what: str) -> None:
    """Skip (no CI) or fail (CI=true) because ``what`` is not available."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} is required in CI (run tests/omop/ci_services.sh)")
    pytest.skip(f"{what} not available (set up by tests/omop/ci_services.sh)")


@pytest.fixture(scope="session")
def omop_spec():
    from oncocohort.spec.database import load_database_blocks

    return load_database_blocks(SPEC)[1]


@pytest.fixture(scope="session")
def omop_chunks():
    from oncocohort.simulate.omop import generate_omop_chunks

    return list(generate_omop_chunks(PERSONS, chunk_size=1_000))


@pytest.fixture(scope="session")
def duckdb_path(tmp_path_factory, omop_chunks):
    from oncocohort.simulate.omop import write_omop_duckdb

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
