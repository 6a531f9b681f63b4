"""oncocohort.model: the canonical data model, its typing and its validation.

``schema`` defines the tables; ``coerce`` parses cells; ``typed`` types one source;
``combine`` merges long and wide layouts; ``validate`` checks across records; ``dataset``
puts it together in :func:`build_study_data`; ``ctcae`` holds the CTCAE v5.0 term list.

The three names below are imported on first use, so that
``python -m oncocohort.model.schema`` (which writes ``docs/data-model.md``) runs cleanly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oncocohort.model.dataset import StudyData, build_study_data
    from oncocohort.model.options import ValidationOptions

__all__ = ["StudyData", "ValidationOptions", "build_study_data"]

_HOME = {"StudyData": "dataset", "build_study_data": "dataset", "ValidationOptions": "options"}


def __getattr__(name: str):
    if name in _HOME:
        from importlib import import_module

        return getattr(import_module(f"oncocohort.model.{_HOME[name]}"), name)
    raise AttributeError(f"module 'oncocohort.model' has no attribute {name!r}")
