"""Office files (DOCX, XLSX) made byte-stable: same input, same bytes."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping

__all__ = ["stable_ooxml"]

_PICTURES = (".png", ".jpg", ".jpeg")  # deflating them again gains nothing and takes time


def stable_ooxml(data: bytes, fixed_time: dt.datetime,
                 members: Mapping[str, bytes] | None = None) -> bytes:
    """An Office (DOCX/XLSX) file made byte-stable: members re-zipped with a fixed timestamp,
    and the created/modified dates of ``docProps/core.xml`` pinned to ``fixed_time``.

    Same input, same bytes: ZIP members otherwise carry the time of writing. Pictures (PNG,
    JPEG: compressed already) are stored as they are, the XML parts deflated. ``members``:
    member name -> the bytes to write in its place (the Word report's pictures, left out of
    the file python-docx wrote so as not to deflate them twice).
    """
    stamp = fixed_time.strftime("%Y-%m-%dT%H:%M:%SZ")
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = (members or {}).get(info.filename) or src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              lambda m: m.group(1) + stamp + m.group(3), body.decode("utf-8"))
                body = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = (zipfile.ZIP_STORED if info.filename.lower().endswith(_PICTURES)
                                else zipfile.ZIP_DEFLATED)
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
    return out.getvalue()
