"""Read a workbook sheet as the grid of every row, for the proposal engine.

The sources layer reads a table from its header row on (the first non-empty row of a sheet).
To find a header that sits below a title, the proposal needs every row, with the row
numbers a person sees: this module reads CSV/TSV and XLSX sheets whole, cell by cell with the
sources' own rules (:func:`oncocohort.sources.readers.cell_text`: stripped text, ``NA``/``.``
missing, Excel numbers without ``.0``, Excel dates as ISO text). SAS, SPSS, Stata and
Parquet files have no title rows; they are read by the sources reader itself, and the
variable labels of SAS, SPSS and Stata files (``startdt``: "Treatment start date") are read
from their metadata, so that the proposal can weigh them as header evidence.

A CSV that is not UTF-8 is tried as GB18030 (what Chinese Excel writes when it saves "CSV"),
and the encoding found is returned so the spec can name it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from oncocohort.problems import InputError, Problem
from oncocohort.propose._canon import SOURCE_SUFFIXES as SUFFIXES
from oncocohort.propose.grid import Grid, grid_from_table
from oncocohort.sources.readers import cell_text, read_table

__all__ = ["ReadSheet", "read_sheet", "variable_labels", "FALLBACK_ENCODING"]

#: Tried when a CSV file is not UTF-8.
FALLBACK_ENCODING = "gb18030"


@dataclass(frozen=True)
class ReadSheet:
    """A sheet read whole: its grid, its name, the workbook's sheets, the CSV encoding, and
    the variable labels of a SAS, SPSS or Stata file (variable name -> label; only labels
    that say more than the name)."""

    grid: Grid
    sheet: str | None
    sheets: tuple[str, ...]
    encoding: str | None
    labels: Mapping[str, str] = field(default_factory=dict)


def _error(message: str, file: str, code: str, sheet: str | None = None) -> InputError:
    return InputError([Problem("error", message, file=file, sheet=sheet, code=code)])


def _grid(records: list[tuple], first_row: int = 1) -> Grid:
    cells, numbers = [], []
    for i, record in enumerate(records):
        row = tuple(cell_text(v) for v in record)
        if any(v is not None for v in row):
            cells.append(row)
            numbers.append(first_row + i)
    width = max((len(r) for r in cells), default=0)
    cells = [r + (None,) * (width - len(r)) for r in cells]
    return Grid(tuple(cells), tuple(numbers))


def _csv(path: Path, file: str, sep: str) -> tuple[Grid, str | None]:
    for encoding in ("utf-8-sig", FALLBACK_ENCODING):
        try:
            raw = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, sep=sep,
                              encoding=encoding, skip_blank_lines=False)
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            raise _error("the file is empty", file, "empty") from None
        except pd.errors.ParserError as exc:
            raise _error(f"not a readable CSV table: {exc}", file, "unreadable") from None
        records = [tuple(r) for r in raw.itertuples(index=False, name=None)]
        return _grid(records), None if encoding == "utf-8-sig" else encoding
    raise _error("the file is neither UTF-8 nor GB18030 text; save it as 'CSV UTF-8'", file,
                 "encoding")


def _xlsx(path: Path, file: str, sheet: str | None) -> tuple[Grid, str, tuple[str, ...]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise _error(f"not a readable Excel workbook ({type(exc).__name__})", file,
                     "unreadable") from None
    try:
        names = tuple(book.sheetnames)
        name = names[0] if sheet is None else sheet
        if name not in names:
            raise _error(f"no sheet named {sheet!r}; the workbook has: "
                         f"{', '.join(repr(n) for n in names)}", file, "unknown_sheet", sheet)
        worksheet = book[name]
        worksheet.reset_dimensions()
        records = list(worksheet.iter_rows(min_row=1, values_only=True))
    finally:
        book.close()
    return _grid(records), name, names


#: Formats whose variables carry labels, and the pyreadstat reader of each.
_LABELLED = {"sav": "read_sav", "dta": "read_dta", "sas7bdat": "read_sas7bdat",
             "xport": "read_xport"}


def variable_labels(path: Path, kind: str) -> dict[str, str]:
    """The variable labels of a SAS, SPSS or Stata file (pyreadstat's
    ``column_names_to_labels``, read from the metadata only): variable name -> label, for
    the variables whose label is not empty and not the name itself; ``{}`` for other formats
    (the table itself was read already, so a file whose metadata cannot be read has none)."""
    if kind not in _LABELLED:
        return {}
    import pyreadstat

    try:
        _, meta = getattr(pyreadstat, _LABELLED[kind])(str(path), metadataonly=True)
    except Exception:  # pyreadstat.ReadstatError and friends; the data were readable
        return {}
    pairs = (getattr(meta, "column_names_to_labels", None) or {}).items()
    return {str(name): " ".join(str(label).split()) for name, label in pairs
            if label is not None and str(label).strip()
            and " ".join(str(label).split()) != str(name)}


def read_sheet(path: str | Path, *, sheet: str | None = None, label: str | None = None
               ) -> ReadSheet:
    """Every non-empty row of a sheet (CSV, TSV, XLSX) or table (other formats).

    Raises
    ------
    InputError
        File missing, of an unknown type, unreadable, empty, or the sheet is not in the
        workbook (the problem lists the sheets there).
    """
    path = Path(path)
    file = label or path.name
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise _error(f"unknown file type {path.suffix!r}; use one of "
                     f"{', '.join(sorted(SUFFIXES))}", file, "unknown_format")
    if not path.is_file():
        raise _error("file not found", file, "file_not_found")
    if kind in ("csv", "tsv"):
        grid, encoding = _csv(path, file, "," if kind == "csv" else "\t")
        result = ReadSheet(grid, None, (), encoding)
    elif kind == "xlsx":
        grid, name, names = _xlsx(path, file, sheet)
        result = ReadSheet(grid, name, names, None)
    else:
        frame, rows = read_table(path, label=file)
        result = ReadSheet(grid_from_table(frame, rows), None, (), None,
                           variable_labels(path, kind))
    if not result.grid.cells:
        raise _error("the sheet is empty", file, "empty", result.sheet)
    return result
