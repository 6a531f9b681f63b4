"""File formats: the sources a study reads and the report formats it writes.

Kept here so that the spec can check a source's file type and an output format without
importing the readers or the writers.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["SOURCE_SUFFIXES", "OutputFormat", "OUTPUT_FORMATS", "DEFAULT_OUTPUT_FORMATS",
           "JournalStyle", "JOURNAL_STYLES", "DEFAULT_JOURNAL_STYLE", "FigureFormat",
           "FIGURE_FORMATS", "DEFAULT_FIGURE_FORMATS"]

#: File suffix -> the reader's format name (:func:`oncocohort.sources.readers.read_table`).
SOURCE_SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".sas7bdat": "sas7bdat",
    ".xpt": "xport",
    ".sav": "sav",
    ".zsav": "sav",
    ".dta": "dta",
}

#: ``outputs.formats``: ``html`` report.html, ``docx`` report.docx, ``csv`` one CSV file per
#: display table (``tables/<name>.csv``), ``xlsx`` every display table in one workbook
#: (``tables.xlsx``, a sheet per table).
OutputFormat = Literal["html", "docx", "csv", "xlsx"]
OUTPUT_FORMATS: tuple[str, ...] = ("html", "docx", "csv", "xlsx")
DEFAULT_OUTPUT_FORMATS: tuple[str, ...] = ("html", "docx", "csv")

#: ``outputs.journal_style``: the house style of every number, table and figure of the report
#: (decimal mark, interval and range separators, p-value rounding; see
#: :mod:`oncocohort.report.format`), after R gtsummary's journal themes.
JournalStyle = Literal["default", "jama", "lancet", "nejm"]
JOURNAL_STYLES: tuple[str, ...] = ("default", "jama", "lancet", "nejm")
DEFAULT_JOURNAL_STYLE: JournalStyle = "default"

#: ``outputs.figure_formats``: the figure files written (``figures/<name>.<format>``): PNG at
#: 300 dpi, SVG, PDF (fonts embedded as TrueType, which takes as long as the PNG and SVG
#: together, hence not by default). The reports get what they need whatever is chosen: the
#: HTML report inline SVG, the Word report PNG.
FigureFormat = Literal["png", "svg", "pdf"]
FIGURE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
DEFAULT_FIGURE_FORMATS: tuple[str, ...] = ("png", "svg")

#: The placeholder ``oncocohort init`` writes in a spec where an answer is needed (the spec's
#: checks report it as an open question).
TODO = "TODO"
