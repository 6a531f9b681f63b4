import pytest

import _study_fixture as study_fixture


@pytest.fixture
def fixture_module():
    return study_fixture


@pytest.fixture
def small_study():
    return study_fixture.make_study()


@pytest.fixture
def small_options():
    return study_fixture.make_options()
