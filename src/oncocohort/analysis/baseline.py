"""Baseline characteristics (the study's Table 1) as ARD rows.

Continuous variables: ``n``, ``median``, ``min``, ``max``, ``q1``/``q3``, ``mean`` and ``sd``
of the observed values plus ``n_missing`` (the report shows the summary the spec declares:
median (range), median (IQR) or mean (SD)). Categorical variables: per level ``n`` and ``pct`` of all patients
(``denominator`` = the number of patients, so missing values are not silently dropped from the
denominator), plus a ``n_missing`` row. Table 1 adds each variable's ``pct_missing`` (of all
patients). A variable is continuous when its column is numeric with
more than ``max_levels`` distinct values, or when the spec declares it continuous; otherwise it
is treated as categorical (ECOG 0-2 is categorical).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
import pandas as pd

from oncocohort.analysis.ard import ArdRow
from oncocohort.analysis.keys import Analysis, Stat, Var

__all__ = ["default_baseline_variables", "observed_levels", "compute_baseline_rows", "compute_categorical_rows",
           "compute_continuous_rows", "compute_mean_rows", "is_continuous", "level_text",
           "level_texts", "sorted_levels"]


def default_baseline_variables(subgroups: Sequence[str],
                               cut_from: Sequence[str] = ()) -> tuple[str, ...]:
    """Table 1 variables when the spec names none: age, sex and ECOG, then the subgroup
    variables; a subgroup cut from sex or ECOG (``cut_from``) replaces it (age stays: its
    median is shown besides the age groups)."""
    base = [v for v in ("age", "sex", "ecog") if v not in cut_from or v == "age"]
    return tuple(dict.fromkeys([*base, *subgroups]))


def is_continuous(values: pd.Series, max_levels: int = 6) -> bool:
    """Numeric (not bool) with more than ``max_levels`` distinct observed values."""
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return False
    return values.dropna().nunique() > max_levels


def level_text(value: object) -> str:
    """A level as displayed and stored in the ARD: ``Yes``/``No`` for booleans (and for the
    texts ``true``/``false`` in any letter case, as free covariate columns hold them), ``1`` for
    1.0, else the text."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, bool | np.bool_):
        return "Yes" if value else "No"
    text = str(value)
    return {"true": "Yes", "false": "No"}.get(text.strip().lower(), text)


def level_texts(values: pd.Series) -> pd.Series:
    """:func:`level_text` of every value (missing stays ``None``), each distinct value once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = np.array([level_text(u) for u in uniques] + [None], dtype=object)
    return pd.Series(texts[codes], index=values.index, dtype=object)


def sorted_levels(values: pd.Series) -> list[str]:
    """Distinct level texts of the non-missing ``values``: numbers (and booleans) in numeric
    order first, then texts in alphabetical order of their display (``No`` before ``Yes``)."""
    def key(v: object) -> tuple:
        if isinstance(v, bool | np.bool_ | int | float | np.integer | np.floating):
            return (0, float(v), "")
        return (1, 0.0, level_text(v))

    order = sorted(set(values.dropna().tolist()), key=key)
    return list(dict.fromkeys(level_text(v) for v in order))


def observed_levels(col: pd.Series) -> list[str]:
    """Level texts as Table 1 writes them (``Yes``/``No`` for booleans, ``1`` for 1.0), in
    category order for categoricals (the levels present), else in sorted order of the values."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return [level_text(c) for c in col.cat.categories if (col == c).any()]
    return sorted_levels(col)


def compute_continuous_rows(values: pd.Series, *, analysis: str, variable: str,
                            unit: str = "", **where: str) -> list[ArdRow]:
    """``n``, ``median``, ``q1``, ``q3``, ``min``, ``max`` and ``n_missing`` of a numeric column
    (:func:`compute_mean_rows` adds the mean and SD).

    Quartiles use linear interpolation between order statistics (R ``quantile`` type 7, the
    numpy default); the median is the middle order statistic or the mean of the two middle
    ones (all quantile types agree on it).
    """
    x = pd.to_numeric(values, errors="coerce").to_numpy(float)
    obs = x[np.isfinite(x)]
    nan = float("nan")
    stats = {
        Stat.N: float(obs.size),
        Stat.MEDIAN: float(np.median(obs)) if obs.size else nan,
        Stat.Q1: float(np.quantile(obs, 0.25)) if obs.size else nan,
        Stat.Q3: float(np.quantile(obs, 0.75)) if obs.size else nan,
        Stat.MIN: float(obs.min()) if obs.size else nan,
        Stat.MAX: float(obs.max()) if obs.size else nan,
        Stat.N_MISSING: float(x.size - obs.size),
    }
    return [ArdRow(analysis, s, v, variable=variable,
                   unit="" if s in (Stat.N, Stat.N_MISSING) else unit, **where)
            for s, v in stats.items()]


def compute_mean_rows(values: pd.Series, *, analysis: str, variable: str, unit: str = "",
                      **where: str) -> list[ArdRow]:
    """``mean`` and ``sd`` (sample standard deviation, n - 1 denominator, R ``sd``) of the
    observed values of a numeric column (NaN for the SD of fewer than two values)."""
    x = pd.to_numeric(values, errors="coerce").to_numpy(float)
    obs = np.sort(x[np.isfinite(x)])  # sorted: the sum does not depend on the row order
    nan = float("nan")
    mean = float(np.mean(obs)) if obs.size else nan
    sd = float(np.std(obs, ddof=1)) if obs.size > 1 else nan
    return [ArdRow(analysis, Stat.MEAN, mean, variable=variable, unit=unit, **where),
            ArdRow(analysis, Stat.SD, sd, variable=variable, unit=unit, **where)]


def compute_categorical_rows(values: pd.Series, *, analysis: str, variable: str,
                             levels: Sequence[str] | None = None, **where: str) -> list[ArdRow]:
    """Per level ``n`` and ``pct`` (of all rows, ``denominator`` = len(values)) and ``n_missing``.

    Levels are ``levels`` when given (a level absent from the data gets n = 0), else the
    observed levels in sorted order (pandas category order for categoricals).
    """
    total = len(values)
    present = values.dropna()
    text = level_texts(present)
    if levels is None:
        if isinstance(values.dtype, pd.CategoricalDtype):
            levels = [level_text(c) for c in values.cat.categories]
        else:
            levels = sorted_levels(present)
    counts = text.value_counts()
    rows = []
    for level in levels:
        n = float(counts.get(level, 0))
        rows.append(ArdRow(analysis, Stat.N, n, variable=variable, category=level,
                           denominator=float(total), **where))
        rows.append(ArdRow(analysis, Stat.PCT, 100.0 * n / total if total else float("nan"),
                           variable=variable, category=level, unit="%",
                           denominator=float(total), **where))
    rows.append(ArdRow(analysis, Stat.N_MISSING, float(total - len(present)), variable=variable,
                       denominator=float(total), **where))
    return rows


def compute_baseline_rows(patients: pd.DataFrame, variables: Sequence[str], *,
                          units: Mapping[str, str] | None = None,
                          continuous: Collection[str] = (),
                          analysis: str = Analysis.BASELINE) -> list[ArdRow]:
    """ARD rows of Table 1: the number of patients, then each variable in the given order,
    each followed by the percentage of patients with the value missing (``pct_missing``).

    Parameters
    ----------
    patients
        One row per selected patient.
    variables
        Column names; absent columns are skipped (the caller states which were available).
    units
        Unit per continuous variable (e.g. ``{"age": "years"}``).
    continuous
        Variables summarised as continuous whatever their number of distinct values (the
        others: :func:`is_continuous`).
    """
    units = units or {}
    n = float(len(patients))
    rows = [ArdRow(analysis, Stat.N, n, variable=Var.PATIENTS)]
    for var in variables:
        if var not in patients.columns:
            continue
        col = patients[var]
        if (var in continuous and pd.api.types.is_numeric_dtype(col)
                and not pd.api.types.is_bool_dtype(col)) or is_continuous(col):
            more = compute_continuous_rows(col, analysis=analysis, variable=var,
                                           unit=units.get(var, ""))
            more += compute_mean_rows(col, analysis=analysis, variable=var,
                                      unit=units.get(var, ""))
        else:
            more = compute_categorical_rows(col, analysis=analysis, variable=var)
        rows += more
        missing = next(r.value for r in more if r.statistic == Stat.N_MISSING)
        rows.append(ArdRow(analysis, Stat.PCT_MISSING, 100 * missing / n if n else float("nan"),
                           variable=var, unit="%", denominator=n))
    return rows
