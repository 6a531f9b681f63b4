"""Small-cell suppression: counts below ``k`` shown as ``"<k"``, complements hidden too.

Rule (applied to each display table, computed from the ARD counts):

1. **Primary**: a count ``n`` with ``0 < n < k`` is suppressed and shown as ``"<k"``. Zero is
   shown (it discloses nothing about an individual beyond the published total).
2. **Complementary**: counts are grouped in *blocks* whose total is published (the levels of a
   baseline variable plus its missing count add up to N; the BOR categories add up to N; CR + PR
   is the ORR count; grade 1-2 + grade >= 3 + grade missing is the any-grade count of a term).
   Whenever a block has exactly one suppressed cell, its smallest other cell (the first one on
   ties) is suppressed as well and shown as ``"*"``, so that no suppressed count can be recovered
   by subtracting the published cells from the block total. This is repeated over all blocks
   until nothing changes (a cell suppressed for one block can break another).
3. A suppressed count's percentage is hidden with it; medians, rates and hazard ratios are not
   counts and are shown.

The rule is the "threshold plus complementary suppression" of statistical disclosure control
(Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, ch. 4).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["PRIMARY", "SECONDARY", "compute_suppression", "suppressed_text"]

PRIMARY = 1
SECONDARY = 2


def compute_suppression(counts: Sequence[float], k: int | None,
                        blocks: Sequence[Sequence[int]] = ()) -> tuple[int, ...]:
    """Per count 0 (shown), :data:`PRIMARY` (``0 < n < k``) or :data:`SECONDARY` (complement).

    Parameters
    ----------
    counts
        The counts of one table (NaN counts are never suppressed).
    k
        The threshold; ``None`` disables suppression.
    blocks
        Index lists of counts whose total is published.

    Examples
    --------
    >>> compute_suppression([1, 7, 4], 5, blocks=[[0, 1, 2]])
    (1, 0, 1)
    """
    n = len(counts)
    if k is None:
        return (0,) * n
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    x = np.asarray(counts, dtype=float)
    state = [PRIMARY if np.isfinite(v) and 0 < v < k else 0 for v in x]
    for block in blocks:
        for i in block:
            if not 0 <= i < n:
                raise IndexError(f"block index {i} outside 0..{n - 1}")
    changed = True
    while changed:
        changed = False
        for block in blocks:
            hidden = [i for i in block if state[i]]
            shown = [i for i in block if not state[i] and np.isfinite(x[i])]
            if len(hidden) == 1 and shown:
                j = min(shown, key=lambda i: (x[i], block.index(i)))
                state[j] = SECONDARY
                changed = True
    return tuple(state)


def suppressed_text(state: int, k: int | None) -> str:
    """The text shown for a suppressed cell."""
    return f"<{k}" if state == PRIMARY else "*"
