"""Table 1 by group: each baseline variable per level of a grouping variable, with a test
across the groups and the standardised mean difference, as ARD rows.

Per level ``L`` of ``by`` (``group_var=by``, ``group_level=L``): the rows of
:func:`~oncocohort.analysis.baseline.compute_baseline_rows` among the patients of that level
(percentages of the level's patients), with the same continuous / categorical decision and
the same levels as the whole cohort's. Per variable (``group_var=by``, no level): ``p`` with
the test's name in ``category`` (``chisq``, ``fisher``, ``wilcoxon``, ``kruskal``: the rule of
:mod:`oncocohort.stats.group_tests`) and, with two groups, ``smd``. Patients with the grouping
variable missing are in the overall column only; missing values of a variable are left out
of its test.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
import pandas as pd

from oncocohort.analysis.ard import ArdRow
from oncocohort.analysis.baseline import (
    compute_categorical_rows,
    compute_continuous_rows,
    compute_mean_rows,
    is_continuous,
    level_text,
    level_texts,
    observed_levels,
    sorted_levels,
)
from oncocohort.analysis.keys import Analysis, Stat, Var
from oncocohort.stats.group_tests import (
    compare_categorical,
    compare_continuous,
    smd_categorical,
    smd_continuous,
)

__all__ = ["compute_baseline_by_rows"]



def compute_baseline_by_rows(patients: pd.DataFrame, variables: Sequence[str], by: str, *,
                             units: Mapping[str, str] | None = None,
                             continuous: Collection[str] = (),
                             analysis: str = Analysis.BASELINE) -> list[ArdRow]:
    """The by-group rows of Table 1 (see the module docstring)."""
    units = units or {}
    groups = level_texts(patients[by])
    levels = observed_levels(patients[by])
    rows: list[ArdRow] = []
    for lv in levels:
        rows.append(ArdRow(analysis, Stat.N, float((groups == lv).sum()), variable=Var.PATIENTS,
                           group_var=by, group_level=lv))
    for var in variables:
        if var not in patients.columns or var == by:
            continue
        col = patients[var]
        numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        cont = (var in continuous and numeric) or is_continuous(col)
        cat_levels = None if cont else (
            [level_text(c) for c in col.cat.categories]
            if isinstance(col.dtype, pd.CategoricalDtype) else sorted_levels(col.dropna()))
        per_group = []
        for lv in levels:
            sub = col[(groups == lv).to_numpy()]
            w = {"group_var": by, "group_level": lv}
            if cont:
                rows += compute_continuous_rows(sub, analysis=analysis, variable=var,
                                                unit=units.get(var, ""), **w)
                rows += compute_mean_rows(sub, analysis=analysis, variable=var,
                                          unit=units.get(var, ""), **w)
                per_group.append(pd.to_numeric(sub, errors="coerce").to_numpy(float))
            else:
                rows += compute_categorical_rows(sub, analysis=analysis, variable=var,
                                                 levels=cat_levels, **w)
                counts = level_texts(sub.dropna()).value_counts()
                per_group.append(np.array([counts.get(c, 0) for c in cat_levels], float))
        if cont:
            test = compare_continuous(per_group)
            smd = smd_continuous(*per_group) if len(levels) == 2 else float("nan")
        else:
            table = np.column_stack(per_group) if per_group else np.zeros((0, 0))
            test = compare_categorical(table)
            smd = (smd_categorical(table[:, 0], table[:, 1])
                   if len(levels) == 2 and table.shape[0] >= 2 else float("nan"))
        rows.append(ArdRow(analysis, Stat.P, test.p_value, variable=var, category=test.test,
                           group_var=by))
        if len(levels) == 2:
            rows.append(ArdRow(analysis, Stat.SMD, smd, variable=var, group_var=by))
    return rows
