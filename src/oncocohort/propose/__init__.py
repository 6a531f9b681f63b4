"""oncocohort.propose: from a hospital's workbook to a proposed study spec.

``read`` reads a sheet whole (title rows included); ``grid`` finds its header row;
``content`` profiles each column's cells (dates and their format, numbers, codes, direct
identifiers); ``vocabulary`` matches headers against English and Chinese clinical terms;
``engine`` weighs both into a role per column (:mod:`oncocohort.propose.roles`) with a
confidence and its evidence; ``codes`` maps code sets onto canonical codes; ``ae`` reads
adverse-event grade columns; ``todos`` lists what is left to decide; ``render`` writes the
commented study spec as text; ``messages`` words it all in English and Chinese.
Nothing here writes a file.
"""

from oncocohort.propose.engine import (
    propose_columns,
    propose_sheet,
    with_codes,
    with_date_format,
    with_role,
)
from oncocohort.propose.render import SpecText, render_study_yaml
from oncocohort.propose.results import ColumnProposal, Note, SheetProposal, Todo
from oncocohort.propose.todos import open_todos
from oncocohort.propose.workbook import propose_workbook

__all__ = [
    "ColumnProposal",
    "Note",
    "SheetProposal",
    "SpecText",
    "Todo",
    "open_todos",
    "propose_columns",
    "propose_sheet",
    "propose_workbook",
    "render_study_yaml",
    "with_codes",
    "with_date_format",
    "with_role",
]
