import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "oc_study_fixture", Path(__file__).with_name("study_fixture.py"))
study_fixture = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(study_fixture)


@pytest.fixture
def fixture_module():
    return study_fixture


@pytest.fixture
def small_study():
    return study_fixture.make_study()
