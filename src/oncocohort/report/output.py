"""Writing outputs safely: everything goes to a temporary folder that is moved into place.

Only ``report/`` and the CLI write files. A run that fails part-way leaves the output folder
as it was before the run (or absent): never half-written.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["atomic_output_dir", "neutralise_cell", "render_frame_csv", "stable_ooxml"]

#: What a spreadsheet reads as the start of a formula (OWASP, "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")


@contextmanager
def atomic_output_dir(final: Path) -> Iterator[Path]:
    """Yield a temporary folder next to ``final``; on success move it to ``final``.

    An existing ``final`` folder is replaced only once the new one is complete. On any
    exception the temporary folder is removed and ``final`` is left untouched.
    """
    final = Path(final).resolve()
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; the output is an ordinary folder
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if final.exists():
        old = final.parent / f".{final.name}.old-{os.getpid()}"
        final.rename(old)
    tmp.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def neutralise_cell(text: str) -> str:
    """A text cell made safe to open in a spreadsheet: text beginning (after any blanks) with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return that is not a plain number gets a
    leading ``'`` (OWASP's advice against CSV/formula injection), so ``=HYPERLINK(...)`` is
    shown as written instead of run. Numbers (``-1.5``, ``+3``, ``-2e-05``) are left as they are.

    >>> neutralise_cell("=HYPERLINK(1)"), neutralise_cell("@SUM(1+1)"), neutralise_cell("-1.5")
    ("'=HYPERLINK(1)", "'@SUM(1+1)", '-1.5')
    """
    head = text.lstrip(" ")  # indented labels too: some spreadsheets strip the blanks
    if head.startswith(_FORMULA_START) and not _NUMBER.match(head):
        return "'" + text
    return text


def _neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells and column names neutralised; infinite numbers written as missing."""
    out = frame.copy(deep=False)
    out.columns = [neutralise_cell(c) if isinstance(c, str) else c for c in frame.columns]
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if pd.api.types.is_float_dtype(col.dtype):
            if np.isinf(col.to_numpy(dtype="float64", na_value=np.nan)).any():
                out.isetitem(i, col.where(~col.isin([np.inf, -np.inf])))
        elif not (pd.api.types.is_numeric_dtype(col.dtype) or
                  pd.api.types.is_datetime64_any_dtype(col.dtype)):
            out.isetitem(i, col.map(lambda v: neutralise_cell(v) if isinstance(v, str) else v,
                                    na_action="ignore"))
    return out


def render_frame_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as UTF-8 CSV with stable formatting (ISO dates, no index).

    Every text cell (and column name) goes through :func:`neutralise_cell`; infinite
    numbers are written as empty cells, like missing ones (``docs/report.md``).
    """
    _neutralised(frame).to_csv(path, index=False, date_format="%Y-%m-%d", lineterminator="\n")
    return path


def stable_ooxml(data: bytes, fixed_time: dt.datetime) -> bytes:
    """An Office (DOCX/XLSX) file made byte-stable: members re-zipped with a fixed timestamp,
    and the created/modified dates of ``docProps/core.xml`` pinned to ``fixed_time``.

    Same input, same bytes: ZIP members otherwise carry the time of writing.
    """
    stamp = fixed_time.strftime("%Y-%m-%dT%H:%M:%SZ")
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              lambda m: m.group(1) + stamp + m.group(3), body.decode("utf-8"))
                body = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
    return out.getvalue()
