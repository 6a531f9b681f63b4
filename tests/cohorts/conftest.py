"""Study-shape tests: whole studies of hospital-style workbooks, run through the CLI."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from oncocohort.cli import main

COHORTS = Path(__file__).parents[1] / "fixtures" / "cohorts"
REFERENCE = Path(__file__).parents[1] / "reference" / "fixtures"


def _run_cli(argv: list[str]) -> tuple[int, str]:
    buf = io.StringIO()
    code = main(argv, console=Console(file=buf, width=300, color_system=None))
    return code, buf.getvalue()


def _copy(dest: Path) -> Path:
    shutil.copytree(COHORTS, dest, ignore=shutil.ignore_patterns("make.py", "__pycache__"))
    return dest


@pytest.fixture(scope="session")
def run_cli():
    """``run_cli(argv) -> (exit code, console text)``: the CLI in-process."""
    return _run_cli


@pytest.fixture
def cohort_dir(tmp_path) -> Path:
    """A fresh copy of the fixture cohorts (specs and workbooks) to edit and run in."""
    return _copy(tmp_path / "cohorts")


def _validate_and_run(tmp_path_factory, name: str, spec: str) -> tuple[str, str, Path]:
    """``validate`` then ``run`` of a study of a fresh copy of the cohort fixtures, each
    asserted to succeed: (validate's text, run's text, the output folder)."""
    where = _copy(tmp_path_factory.mktemp(name) / "cohorts")
    code, said = _run_cli(["validate", str(where / spec)])
    assert code == 0, said
    out = where / "out"
    code, ran = _run_cli(["run", str(where / spec), "--out", str(out)])
    assert code == 0, ran
    return said, ran, out


@pytest.fixture(scope="session")
def lung_outputs(tmp_path_factory) -> tuple[str, Path]:
    """``validate`` then ``run`` of the lung OS study, once: (validate's text, the output
    folder)."""
    said, _, out = _validate_and_run(tmp_path_factory, "lung", "lung_zh.yaml")
    return said, out


@pytest.fixture(scope="session")
def lung_reference() -> dict[str, float]:
    """R's numbers for the lung OS study (tests/reference/lung_os.R)."""
    r = pd.read_csv(REFERENCE / "lung_os_results.csv")
    return dict(zip(r["quantity"], r["value"], strict=True))


@pytest.fixture(scope="session")
def colon_outputs(tmp_path_factory) -> tuple[str, str, Path]:
    """``validate`` then ``run`` of the colon EFS study, once: (validate's text, run's text,
    the output folder)."""
    return _validate_and_run(tmp_path_factory, "colon", "colon_zh.yaml")


@pytest.fixture(scope="session")
def covariates_outputs(tmp_path_factory) -> Path:
    """``validate`` then ``run`` of the lung study with continuous covariates, labels and
    chosen reference levels (lung_covariates.yaml), once: the output folder."""
    return _validate_and_run(tmp_path_factory, "covariates", "lung_covariates.yaml")[2]


@pytest.fixture(scope="session")
def covariates_reference() -> dict[str, float]:
    """R's numbers for the covariates study (tests/reference/covariates.R)."""
    r = pd.read_csv(REFERENCE / "covariates_results.csv")
    return dict(zip(r["quantity"], r["value"], strict=True))


@pytest.fixture(scope="module")
def cohort_dir_module(tmp_path_factory) -> Path:
    """A fresh copy of the fixture cohorts for one test module."""
    return _copy(tmp_path_factory.mktemp("cohorts_module") / "cohorts")


@pytest.fixture(scope="session")
def covariates_group_reference() -> dict[str, float]:
    """R's tests across groups (tests/reference/group_tests.R)."""
    r = pd.read_csv(REFERENCE / "group_tests_results.csv", float_precision="round_trip")
    return dict(zip(r["quantity"], r["value"], strict=True))
