"""Where the shared reference data (``shared/refdata``) is, for the reference-tier tests.

CI clones the repository with ``shared/`` beside it; developers have it at ``/work/shared``.
``ONCOCOHORT_SHARED`` overrides both. When the data are missing the tests that need them are
skipped on a developer machine, but fail in CI (``CI`` set): a reference test never silently
stops running there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_REPO = Path(__file__).resolve().parents[1]


def _find() -> Path:
    candidates = [os.environ.get("ONCOCOHORT_SHARED"), _REPO.parent / "shared", "/work/shared"]
    for c in candidates:
        if c and (Path(c) / "refdata").is_dir():
            return Path(c) / "refdata"
    return _REPO.parent / "shared" / "refdata"


REFDATA = _find()
PHARMAVERSE = REFDATA / "pharmaverse"
TERN = PHARMAVERSE / "tern"
CTCAE = REFDATA / "ctcae"


def require(path: Path) -> Path:
    """``path``, or skip (developer machine) / fail (CI) when it is missing."""
    if not path.exists():
        message = f"shared reference data not found: {path}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
