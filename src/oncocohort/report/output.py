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

import pandas as pd

__all__ = ["atomic_output_dir", "render_frame_csv", "stable_ooxml"]


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


def render_frame_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as UTF-8 CSV with stable formatting (ISO dates, no index)."""
    frame.to_csv(path, index=False, date_format="%Y-%m-%d", lineterminator="\n")
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
