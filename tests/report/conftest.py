import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

from oncocohort.problems import Problem, Problems

_spec = importlib.util.spec_from_file_location(
    "oc_study_fixture_report",
    Path(__file__).parents[1] / "analysis" / "study_fixture.py")
study_fixture = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(study_fixture)


@pytest.fixture
def fixture_module():
    return study_fixture


@pytest.fixture(scope="session")
def analysis():
    from oncocohort.analysis import analyse_study
    return analyse_study(study_fixture.make_study())


@pytest.fixture(scope="session")
def written_report(tmp_path_factory):
    """The fixture study written once by ``write_outputs`` (a few seconds: 30 figure files)."""
    from oncocohort.analysis import analyse_study
    from oncocohort.report.write import write_outputs

    derived = study_fixture.make_study()
    problems = Problems.of([Problem("warning", "3 lesion rows without a diameter",
                                    file="lesions.csv", code="test")])
    results = SimpleNamespace(analysis=analyse_study(derived), spec=derived.spec,
                              datasets={"adtte": derived.tte}, problems=problems)
    out = tmp_path_factory.mktemp("report") / "out"
    return write_outputs(results, out), results
