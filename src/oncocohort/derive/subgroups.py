"""Subgroup variables cut from numeric ones, as the spec's ``subgroups[].derive`` says.

A cut turns a numeric column into labelled groups closed on the left: group ``i`` holds
``lower_i <= x < upper_i`` (``-inf``/``inf`` at the open ends), so ``age >= 65`` is the upper
group of a cut at 65, as clinical tables write it (R: ``cut(x, c(-Inf, cut, Inf),
right = FALSE)``). A value outside every group, or missing, gets no group (missing). A cut
whose numeric column is absent is skipped (the study layer reports it as a spec problem).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SubgroupCut", "derive_subgroup_variables"]


@dataclass(frozen=True)
class SubgroupCut:
    """The subgroup variable ``variable`` made from the numeric column ``source``.

    ``groups`` are ``(lower, upper, label)``, ``lower <= x < upper``, in display order.
    """

    variable: str
    source: str
    groups: tuple[tuple[float, float, str], ...]


def derive_subgroup_variables(patients: pd.DataFrame,
                              cuts: Sequence[SubgroupCut]) -> pd.DataFrame:
    """``patients`` (a copy) with one text column per cut: the label of the value's group
    (the analyses show the groups in the cut's order: ``StudyOptions`` gives each cut
    variable that order).

    Examples
    --------
    >>> p = pd.DataFrame({"age": [50.0, 65.0, None]})
    >>> inf = float("inf")
    >>> cut = SubgroupCut("age_group", "age", ((-inf, 65.0, "<65"), (65.0, inf, ">=65")))
    >>> derive_subgroup_variables(p, [cut])["age_group"].tolist()
    ['<65', '>=65', None]
    """
    out = patients.copy()
    for cut in cuts:
        if cut.source not in out.columns:
            continue
        x = pd.to_numeric(out[cut.source], errors="coerce").to_numpy(float)
        labels = np.full(len(out), None, dtype=object)
        for lo, hi, label in cut.groups:
            labels[(x >= lo) & (x < hi)] = label
        out[cut.variable] = pd.Series(labels, index=out.index, dtype=object)
    return out
