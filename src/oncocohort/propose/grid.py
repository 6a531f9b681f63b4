"""A sheet as a grid of text cells, and where its header row is: the sources layer's
:mod:`oncocohort.sources.grid`, which ``oncocohort init`` and the readers' ``header_row``
hint share."""

from oncocohort.sources.grid import SEARCH_ROWS, Grid, find_header, grid_from_table

__all__ = ["Grid", "SEARCH_ROWS", "find_header", "grid_from_table"]
