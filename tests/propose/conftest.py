"""Fixtures of the proposal tests: the committed workbooks and fresh ones of other seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.workbooks import make as workbook_maker

WORKBOOKS = Path(__file__).parents[1] / "fixtures" / "workbooks"


@pytest.fixture(scope="session")
def maker():
    """The fixture generator ``tests/fixtures/workbooks/make.py``."""
    return workbook_maker


@pytest.fixture(scope="session")
def workbooks() -> Path:
    return WORKBOOKS
