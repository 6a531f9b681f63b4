"""The committed fixture workbooks are what their generator writes (synthetic, reproducible)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("kind", ["clear", "messy_zh"])
def test_committed_workbooks_are_reproduced(maker, workbooks, tmp_path, kind):
    seed, n = {"clear": (15, 120), "messy_zh": (16, 90)}[kind]
    paths = maker.make(kind, seed=seed, n=n, out=tmp_path)
    for suffix, path in paths.items():
        assert path.read_bytes() == (workbooks / f"{kind}.{suffix}").read_bytes(), suffix
