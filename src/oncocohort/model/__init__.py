"""oncocohort.model: typing and validation of the raw source tables into the canonical ones.

``coerce`` parses cells; ``typed`` types one source; ``combine`` merges long and wide layouts;
``validate`` checks across records; ``dataset`` puts it together in :func:`build_study_data`.
The tables and columns themselves are :mod:`oncocohort.canon.schema`, the CTCAE term list
:mod:`oncocohort.canon.ctcae`.
"""

from oncocohort.model.dataset import StudyData, build_study_data
from oncocohort.model.options import ValidationOptions

__all__ = ["StudyData", "ValidationOptions", "build_study_data"]
