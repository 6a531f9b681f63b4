"""Writing outputs safely: everything goes to a temporary folder that is moved into place.

Only ``report/`` and the CLI write files. A run that fails part-way leaves the output folder
as it was before the run (or absent): never half-written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

__all__ = ["atomic_output_dir", "render_frame_csv"]


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
