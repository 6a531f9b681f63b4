"""Sources: read the user's files, map their columns and codes onto the canonical model.

See :mod:`.readers` (formats, missing values, row numbers), :mod:`.mapping` (renaming and
recoding), :mod:`.wide` (the one-row-per-patient sheet) and :mod:`.load` (the whole spec).
"""

from oncocohort.sources.base import SourceTable
from oncocohort.sources.load import load_sources
from oncocohort.sources.mapping import map_table
from oncocohort.sources.readers import read_table
from oncocohort.sources.wide import unpivot_wide

__all__ = ["SourceTable", "load_sources", "map_table", "read_table", "unpivot_wide"]
