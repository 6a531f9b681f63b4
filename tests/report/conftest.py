import pytest

import _study_fixture as study_fixture
from oncocohort.problems import Problem, Problems


@pytest.fixture
def fixture_module():
    return study_fixture


@pytest.fixture(scope="session")
def analysis():
    return study_fixture.make_analysis()


@pytest.fixture(scope="session")
def report_options():
    return study_fixture.make_options().report


class Written:
    """What the written-report fixture wrote: its analysis, report options and problems."""

    def __init__(self, analysis, options, problems, datasets):
        self.analysis, self.options, self.problems, self.datasets = (analysis, options,
                                                                     problems, datasets)


@pytest.fixture(scope="session")
def written_report(tmp_path_factory):
    """The fixture study written once by ``write_outputs`` (a few seconds: 30 figure files)."""
    from oncocohort.write.study import write_outputs

    derived = study_fixture.make_study()
    problems = Problems.of([Problem("warning", "3 lesion rows without a diameter",
                                    file="lesions.csv", code="test")])
    results = Written(study_fixture.make_analysis(), study_fixture.make_options().report,
                      problems, {"adtte": derived.tte})
    out = tmp_path_factory.mktemp("report") / "out"
    return write_outputs(out, datasets=results.datasets, analysis=results.analysis,
                         options=results.options, problems=problems), results
