"""Receive an uploaded workbook straight into a session's folder, within a size limit.

The multipart body is parsed as it streams in (python-multipart): the file part is written
to the session's own folder, never to a shared temporary folder, and the upload stops with
:class:`TooLarge` as soon as it passes the limit. Only the file's *name* is taken from the
browser, reduced by :func:`oncocohort.app.sessions.safe_name`.
"""

from __future__ import annotations

from pathlib import Path

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from oncocohort.app.sessions import safe_name

__all__ = ["BadUpload", "TooLarge", "receive_upload"]


class TooLarge(Exception):
    """The upload is larger than the limit."""


class BadUpload(Exception):
    """The request holds no usable file (no file part, or a name of an unknown type)."""


class _FilePart:
    """Multipart callbacks: the first ``workbook`` file part goes to ``partial``."""

    def __init__(self, partial: Path, limit: int) -> None:
        self.partial, self.limit = partial, limit
        self.headers: dict[bytes, bytes] = {}
        self.field = self.value = b""
        self.name: str | None = None
        self.size = 0
        self.out = None
        self.done = False

    def callbacks(self) -> dict:
        return {"on_header_field": self.on_header_field,
                "on_header_value": self.on_header_value, "on_header_end": self.on_header_end,
                "on_headers_finished": self.on_headers_finished,
                "on_part_data": self.on_part_data, "on_part_end": self.on_part_end}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.field.lower()] = self.value
        self.field = self.value = b""

    def on_headers_finished(self) -> None:
        _, disp = parse_options_header(self.headers.get(b"content-disposition", b""))
        if disp.get(b"name") == b"workbook" and b"filename" in disp and not self.done:
            self.name = disp[b"filename"].decode("utf-8", "replace")
            self.out = self.partial.open("wb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.out is not None:
            self.size += end - start
            if self.size > self.limit:
                raise TooLarge
            self.out.write(data[start:end])

    def on_part_end(self) -> None:
        if self.out is not None:
            self.out.close()
            self.out, self.done = None, True
        self.headers = {}

    def discard(self) -> None:
        if self.out is not None:
            self.out.close()
            self.out = None
        self.partial.unlink(missing_ok=True)


async def receive_upload(request: Request, folder: Path, limit: int) -> Path:
    """Save the request's file part (form field ``workbook``) in ``folder``; return its path.

    Raises
    ------
    TooLarge
        The declared or received size passes ``limit``.
    BadUpload
        Not a multipart form, no file, or a file name without a known table suffix.
    """
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise TooLarge
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or b"boundary" not in params:
        raise BadUpload
    part = _FilePart(folder / ".upload.part", limit)
    parser = MultipartParser(params[b"boundary"], part.callbacks())
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except TooLarge:
        part.discard()
        raise
    except Exception:  # a malformed body
        part.discard()
        raise BadUpload from None
    name = safe_name(part.name or "")
    if name is None or not part.done or part.size == 0:
        part.discard()
        raise BadUpload
    target = folder / name
    part.partial.replace(target)
    return target
