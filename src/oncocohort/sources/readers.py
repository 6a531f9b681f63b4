"""Read one table from a file into text cells with the row numbers a person sees.

Every format comes back the same way: a DataFrame whose cells are ``str`` or ``None``
(missing), with the file's own column names, and an array with, per row, the row number to
quote in messages (:func:`read_table_header`, which the loading of a study uses, gives each
column *coded*: a ``Categorical`` of its distinct texts, :mod:`oncocohort.canon.distinct`,
which the mapping and the typing of cells keep instead of finding the distinct cells again).
Nothing is parsed into dates or numbers here (``model/`` does that and reports what fails),
except values a format stores natively:

* Cells are stripped of surrounding blanks. ``""``, ``"NA"`` and ``"."`` (the SAS missing
  value) are missing, in every format, and nothing else is (``"N/A"``, ``"NaN"``, ``"-"`` stay
  text for the model to report).
* Native numbers become text without a spurious decimal: Excel/SAS ``12.0`` -> ``"12"``, so an
  id typed as a number matches the same id typed as text; ``0.5`` -> ``"0.5"``.
* Native dates (Excel date cells, SAS/SPSS/Stata date formats, Parquet date/timestamp) become
  ISO text: ``"2024-03-01"``, or ``"2024-03-01T08:30:00"`` when a time of day is present.
* Value labels (SPSS, Stata, SAS catalogues given to pyreadstat) are applied: the label text is
  the value.
* Rows whose cells are all missing are dropped (trailing blank rows of a worksheet); the row
  numbers of the others are kept.

Row numbers: for CSV and worksheets the header is row 1 and the first data row is row 2 (for a
worksheet, the sheet's own row numbers; the header is its first non-empty row). For Parquet,
SAS, SPSS and Stata, which have no header row, row = record number + 1 (the first record is
row 2), so messages read alike across formats. A CSV (or TSV) may have rows of different
lengths (a title line without trailing separators above the header): short rows are padded
with missing cells, so a ``header_row`` below a title works as in a worksheet.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oncocohort.canon.distinct import coded_column, column_cells
from oncocohort.canon.formats import SOURCE_SUFFIXES as SUFFIXES
from oncocohort.problems import InputError, Problem
from oncocohort.sources.grid import SEARCH_ROWS, Grid, find_header

__all__ = ["MISSING_TEXT", "SUFFIXES", "read_table", "read_table_header", "text_frame",
           "cell_text"]

#: Cell texts read as missing in every format (after stripping blanks).
MISSING_TEXT: frozenset[str] = frozenset({"", "NA", "."})


def cell_text(value: Any) -> str | None:
    """One cell as text (``None`` when missing), following the module's rules."""
    if type(value) is str:  # most cells (every CSV cell): the last rule only
        text = value.strip()
        return None if text in MISSING_TEXT else text
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        if float(value).is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(float(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, pd.Timestamp | dt.datetime | np.datetime64):
        ts = pd.Timestamp(value)
        if ts is pd.NaT:
            return None
        return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = str(value).strip()
    return None if text in MISSING_TEXT else text


def _problem(message: str, file: str, sheet: str | None = None, code: str = "unreadable",
             column: str | None = None) -> InputError:
    return InputError([Problem("error", message, file=file, sheet=sheet, column=column,
                               code=code)])


def _frame(header: Sequence[Any], records: Iterable[Sequence[Any]], rows: Iterable[int],
           file: str, sheet: str | None, header_row: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """Build the text frame from a header (on row ``header_row`` of the file) and records;
    check the header; drop blank rows."""
    names = _names(header, file, sheet, header_row)
    grid = _grid(records, len(names))
    return _coded_frame(names, [_column_text(grid[:, j]) for j in range(len(names))], rows)


def _names(header: Sequence[Any], file: str, sheet: str | None, header_row: int) -> list[str]:
    """The column names of a header row (an empty cell: ``column <n>``); an error for a name
    used twice."""
    names = [cell_text(h) for h in header]
    problems = []
    for i, name in enumerate(names):
        if name is None:
            names[i] = f"column {i + 1}"
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            problems.append(Problem(
                "error", f"column name used twice (columns {seen[name] + 1} and {i + 1})",
                file=file, sheet=sheet, row=header_row, column=name, code="duplicate_column"))
        seen.setdefault(name, i)
    if problems:
        raise InputError(problems)
    return names


def _coded_frame(names: list[str], columns: list[pd.Categorical],
                 rows: Iterable[int]) -> tuple[pd.DataFrame, np.ndarray]:
    """The frame of the coded ``columns`` named ``names`` without its blank rows, and the row
    numbers of the rows kept."""
    row_numbers = np.fromiter(rows, dtype=np.int64)
    if any(len(col) != len(row_numbers) for col in columns):
        raise ValueError("rows and records differ in length")
    present = np.zeros(len(row_numbers), dtype=bool)
    for col in columns:
        present |= col.codes >= 0
    if len(row_numbers) and not present.all():
        columns = [col[present] for col in columns]
        row_numbers = row_numbers[present]
    frame = pd.DataFrame({i: pd.Series(col) for i, col in enumerate(columns)})
    frame.columns = names
    if frame.empty:
        frame = pd.DataFrame({n: pd.Series([], dtype=object) for n in names})
    return frame, row_numbers


_NA_TYPES = frozenset({type(None), type(pd.NA), type(pd.NaT)})


def _distinct_safe(values: np.ndarray) -> bool:
    """Whether a column may be converted once per distinct value: at most one type besides
    text and missing markers (``True == 1 == 1.0`` would merge cells that read differently)."""
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return True
    types = set(map(type, values)) - _NA_TYPES
    types.discard(str)
    return len(types) <= 1


def _grid(records: Iterable[Sequence[Any]], width: int) -> np.ndarray:
    """Records as a 2-D ``object`` array of ``width`` columns (cut or padded with ``None``)."""
    if isinstance(records, np.ndarray) and records.ndim == 2:
        grid = records[:, :width].astype(object, copy=False)
        if grid.shape[1] < width:
            pad = np.full((len(grid), width - grid.shape[1]), None, dtype=object)
            grid = np.concatenate([grid, pad], axis=1)
        return grid
    rows = [list(r)[:width] for r in records]
    grid = np.full((len(rows), width), None, dtype=object)
    for i, r in enumerate(rows):
        grid[i, :len(r)] = r
    return grid


def _column_text(values: np.ndarray) -> pd.Categorical:
    """:func:`cell_text` of every cell of one column, computed once per distinct value, as a
    coded column (:func:`~oncocohort.canon.distinct.coded_column`)."""
    if not _distinct_safe(values):
        values = np.array([cell_text(v) for v in values], dtype=object)
    return _coded_text(*pd.factorize(values, use_na_sentinel=True))


def _coded_text(codes: np.ndarray, distinct: np.ndarray) -> pd.Categorical:
    """Cells given as codes (-1: missing) into their distinct values, as a coded column of
    their :func:`cell_text` (computed for the values a cell uses)."""
    texts = np.full(len(distinct), None, dtype=object)
    for i in np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(distinct))):
        texts[i] = cell_text(distinct[i])
    return coded_column(codes, texts)


def _read_csv(path: Path, file: str, encoding: str | None, sep: str = ",",
              header_row: int | None = None) -> tuple[pd.DataFrame, np.ndarray, int, int]:
    columns = _plain_csv(path, sep) if encoding is None else None
    if columns is None:
        values = _csv_grid(path, file, encoding, sep)
        h = _check_header_row(header_row, len(values), file, None)
        frame, rows = _frame(values[h - 1], values[h:], range(h + 1, len(values) + 1), file,
                             None, header_row=h)
        return frame, rows, h, _looks_like_header(values, 0)
    n = len(columns[0][0])
    h = _check_header_row(header_row, n, file, None)
    top = [[distinct[codes[i]] for codes, distinct in columns]
           for i in range(min(n, max(h, SEARCH_ROWS)))]
    names = _names(top[h - 1], file, None, h)
    frame, rows = _coded_frame(names, [_coded_text(codes[h:], distinct)
                                       for codes, distinct in columns], range(h + 1, n + 1))
    return frame, rows, h, _looks_like_header(top, 0)


_BOM = b"\xef\xbb\xbf"


def _plain_csv(path: Path, sep: str) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """A UTF-8 file (BOM allowed) of plain rows, read by pyarrow (several times faster than
    pandas' reader, and its columns come coded): per column, the codes of its rows (the
    header row included) into its distinct texts. ``None`` for any file pandas' reader
    (:func:`_csv_grid`) might read otherwise, or that holds anything to report: quotes, NUL
    bytes, carriage returns, a blank first line or a second BOM (pandas drops both), rows
    of different lengths, text that is not UTF-8."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    data = path.read_bytes()
    body = data.removeprefix(_BOM)
    if (not body or body.startswith((b"\n", _BOM))
            or any(c in body for c in (b'"', b"\x00", b"\r"))):
        return None
    names = [f"c{j}" for j in range(body.split(b"\n", 1)[0].count(sep.encode()) + 1)]
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(data), read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(delimiter=sep, quote_char=False,
                                              ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.dictionary(pa.int32(), pa.string())),
                strings_can_be_null=False))
    except pa.ArrowException:
        return None
    columns = []
    for column in table.unify_dictionaries().columns:
        codes = np.concatenate([chunk.indices.to_numpy() for chunk in column.chunks])
        distinct = column.chunks[0].dictionary.to_numpy(zero_copy_only=False)
        columns.append((codes, distinct))
    return columns


def _csv_grid(path: Path, file: str, encoding: str | None, sep: str) -> np.ndarray:
    """The CSV file's cells (the header row included) as read by pandas' reader."""
    try:
        try:
            return pd.read_csv(path, header=None, dtype=str, keep_default_na=False, sep=sep,
                               encoding=encoding or "utf-8-sig",
                               skip_blank_lines=False).to_numpy(dtype=object)
        except pd.errors.ParserError as exc:
            if "Expected" not in str(exc):
                raise _problem(f"not a readable CSV table: {exc}", file) from None
            # rows of different lengths: a title line above the header, say
            return _ragged_csv(path, file, encoding, sep)
    except (UnicodeError, LookupError):  # UTF-16 without a BOM is a UnicodeError
        if encoding:
            raise _problem(f"the file cannot be read as {encoding} text; check the source's "
                           "encoding", file, code="encoding") from None
        raise _problem("the file is not UTF-8 text; save it as 'CSV UTF-8' or set the "
                       "source's encoding (e.g. gb18030)", file, code="encoding") from None
    except pd.errors.EmptyDataError:
        raise _problem("the file is empty", file, code="empty") from None


def _ragged_csv(path: Path, file: str, encoding: str | None, sep: str) -> np.ndarray:
    """A CSV whose rows have different numbers of fields (a title line above the header, as
    exports write it, without the trailing separators a spreadsheet adds) as one grid, short
    rows padded with ``None``: the header can then be any row, as in a worksheet."""
    import csv

    try:
        with open(path, encoding=encoding or "utf-8-sig", newline="") as fh:
            records = list(csv.reader(fh, delimiter=sep, strict=True))
    except csv.Error as exc:
        raise _problem(f"not a readable CSV table: {exc}", file) from None
    width = max((len(r) for r in records), default=0)
    grid = np.full((len(records), width), None, dtype=object)
    for i, r in enumerate(records):
        grid[i, :len(r)] = r
    return grid


def _looks_like_header(records, first: int) -> int:
    """The row number of the row that looks like the header among the first rows from
    index ``first`` on (:func:`oncocohort.sources.grid.find_header`)."""
    top = [tuple(cell_text(v) for v in r) for r in records[first:first + SEARCH_ROWS]]
    numbers = [first + 1 + i for i, r in enumerate(top) if any(c is not None for c in r)]
    cells = tuple(r for r in top if any(c is not None for c in r))
    if not cells:
        return first + 1
    width = max(len(r) for r in cells)
    grid = Grid(tuple(r + (None,) * (width - len(r)) for r in cells), tuple(numbers))
    return grid.row_numbers[find_header(grid)]


def _check_header_row(header_row: int | None, n_rows: int, file: str,
                      sheet: str | None) -> int:
    """The header's row number (1 without ``header_row``); an error beyond the last row."""
    if header_row is None:
        return 1
    if header_row > n_rows:
        raise _problem(f"header_row is {header_row} but the sheet has {n_rows} rows", file,
                       sheet, code="bad_header_row")
    return header_row


def _read_xlsx(path: Path, file: str, sheet: str | None,
               header_row: int | None = None) -> tuple[pd.DataFrame, np.ndarray, int, int]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise _problem(f"not a readable Excel workbook ({type(exc).__name__})", file) from None
    try:
        names = book.sheetnames
        if sheet is None:
            sheet_name = names[0]
        elif sheet in names:
            sheet_name = sheet
        else:
            raise _problem(f"no sheet named {sheet!r}; the workbook has: "
                           f"{', '.join(repr(n) for n in names)}", file, sheet,
                           code="unknown_sheet")
        worksheet = book[sheet_name]
        worksheet.reset_dimensions()  # some writers store a wrong used range; read all rows
        records = list(worksheet.iter_rows(min_row=1, values_only=True))
    finally:
        book.close()
    first = next((i for i, r in enumerate(records) if any(cell_text(v) for v in r)), None)
    if first is None:
        raise _problem("the sheet is empty", file, sheet, code="empty")
    if header_row is not None:
        first = _check_header_row(header_row, len(records), file, sheet) - 1
    body = records[first + 1:]
    rows = range(first + 2, first + 2 + len(body))
    frame, rows = _frame(records[first], body, rows, file, sheet, header_row=first + 1)
    return frame, rows, first + 1, _looks_like_header(records, first)


def _records(frame: pd.DataFrame, file: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Frames from binary formats: record k (0-based) is row k + 2."""
    records = frame.astype(object).to_numpy()
    return _frame(list(frame.columns), records, range(2, len(frame) + 2), file, None)


def _read_stat(path: Path, kind: str, file: str, encoding: str | None):
    import pyreadstat

    reader = {"sas7bdat": pyreadstat.read_sas7bdat, "xport": pyreadstat.read_xport,
              "sav": pyreadstat.read_sav, "dta": pyreadstat.read_dta}[kind]
    kwargs: dict[str, Any] = {"apply_value_formats": True} if kind in ("sav", "dta") else {}
    if encoding:
        kwargs["encoding"] = encoding
    try:
        frame, _meta = reader(str(path), **kwargs)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise _problem(f"not a readable {kind} file ({exc})", file) from None
    return _records(frame, file)


def read_table(path: str | Path, *, sheet: str | None = None, label: str | None = None,
               encoding: str | None = None,
               header_row: int | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """Read one table as text cells plus the row number of each row.

    Parameters
    ----------
    path
        The file; its suffix picks the format (see :data:`SUFFIXES`): CSV or tab-separated
        text (UTF-8 with or without BOM), XLSX, Parquet, SAS ``.sas7bdat`` / ``.xpt``, SPSS
        ``.sav``, Stata ``.dta``.
    sheet
        Worksheet name for workbooks (default: the first sheet); ignored otherwise.
    label
        How to name the file in problems (the path as the user wrote it); default ``path``.
    encoding
        Text encoding for CSV (default UTF-8, BOM allowed) and SAS/SPSS/Stata (default: the
        file's own).
    header_row
        CSV and XLSX: the row (as a person sees it, 1-based) that holds the column names;
        the rows above it (an export's title) are skipped. Default: the first row (CSV), the
        first non-empty row (XLSX).

    Returns
    -------
    frame, rows
        ``frame``: ``object`` columns of ``str``/``None`` named as in the file. ``rows``: per
        frame row, the row number a person sees (header row 1; see the module notes).

    Raises
    ------
    InputError
        File missing, format unknown, unreadable, wrong encoding, sheet not in the workbook
        (the problem lists the sheets there), duplicated column names.
    """
    frame, rows, _, _ = read_table_header(path, sheet=sheet, label=label, encoding=encoding,
                                          header_row=header_row)
    return text_frame(frame), rows


def text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame of :func:`read_table_header` with its coded columns as ``object`` columns of
    ``str`` or ``None``, as :func:`read_table` gives them."""
    return pd.DataFrame({name: pd.Series(column_cells(frame[name]), dtype=object)
                         for name in frame.columns})


def read_table_header(path: str | Path, *, sheet: str | None = None, label: str | None = None,
                      encoding: str | None = None, header_row: int | None = None
                      ) -> tuple[pd.DataFrame, np.ndarray, int, int]:
    """:func:`read_table` with coded columns (:mod:`oncocohort.canon.distinct`: the empty
    frame's are plain), with the row number of the header it used and of the row that looks
    like the header (the same unless a title sits above the header; both 1 for formats
    without a header row)."""
    path = Path(path)
    file = label or str(path)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise _problem(f"unknown file type {path.suffix!r}; use one of "
                       f"{', '.join(sorted(SUFFIXES))}", file, code="unknown_format")
    if not path.is_file():
        raise _problem("file not found", file, code="file_not_found")
    if kind in ("csv", "tsv"):
        return _read_csv(path, file, encoding, sep="," if kind == "csv" else "\t",
                         header_row=header_row)
    if kind == "xlsx":
        return _read_xlsx(path, file, sheet, header_row)
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path)
        except Exception as exc:  # pyarrow.ArrowInvalid and friends
            raise _problem(f"not a readable Parquet file ({exc})", file) from None
        frame = table.to_pandas(types_mapper=None, date_as_object=True)
        return (*_records(frame, file), 1, 1)
    return (*_read_stat(path, kind, file, encoding), 1, 1)
