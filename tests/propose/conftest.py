"""Fixtures of the proposal tests: the committed workbooks and fresh ones of other seeds."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

WORKBOOKS = Path(__file__).parents[1] / "fixtures" / "workbooks"


def load_maker():
    """The fixture generator ``tests/fixtures/workbooks/make.py`` as a module."""
    spec = importlib.util.spec_from_file_location("workbooks_make", WORKBOOKS / "make.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def maker():
    return load_maker()


@pytest.fixture(scope="session")
def workbooks() -> Path:
    return WORKBOOKS
