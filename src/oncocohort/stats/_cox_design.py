"""Design matrix for the Cox model: columns to terms, categorical coding, missing values.

Private module of :mod:`oncocohort.stats.cox`. It turns a data frame and a list of column names
into float arrays: the covariate matrix ``x`` (one column per term), ``time``, ``event``,
``weights`` and integer stratum codes (and, when asked for, the interval ``start`` of the
counting-process form and integer ``cluster`` codes), after dropping rows with a missing value in
any used column (as R's default ``na.action = na.omit``) and rows whose case weight is 0.

Conventions
-----------
* Numeric columns (integer or float dtype) enter as they are: one term named as the column.
* Object, string, category and bool columns are categorical: one indicator term per level other
  than the reference, named ``var[level]`` (R names it ``varlevel``). Levels are those present
  after dropping incomplete rows, in the category order for a pandas ``Categorical`` and sorted
  otherwise; the reference is the first level unless ``reference={var: level}`` says otherwise
  (R's ``relevel``).
* Case weights must be finite and >= 0. A row of weight 0 contributes nothing to any sum of the
  partial likelihood, its score or the robust variance, so it is left out before anything else
  (levels, strata, clusters and ``n`` are those of the rows with a positive weight). This is
  R's ``coxph(..., subset = w > 0)``: R's ``coxph.fit`` itself refuses weights <= 0, while
  trimmed propensity weights and MatchIt's weights give 0 to the units left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Design", "build_design", "is_categorical"]


@dataclass(frozen=True)
class Design:
    """Arrays ready for fitting, with the bookkeeping needed to name the results."""

    x: np.ndarray  # (n, p) float64
    time: np.ndarray  # (n,) float64
    event: np.ndarray  # (n,) bool
    weights: np.ndarray  # (n,) float64, all ones when no weights were given
    strata: np.ndarray  # (n,) int64 codes 0..k-1 (all zero when unstratified)
    strata_levels: tuple[str, ...]
    terms: tuple[str, ...]
    term_variable: tuple[str, ...]  # the covariate each term came from
    variables: tuple[str, ...]
    levels: Mapping[str, tuple[str, ...]]  # categorical variable -> (reference, other levels...)
    n_dropped: int
    weighted: bool
    start: np.ndarray | None = None  # (n,) float64 interval starts: (start, time] rows
    cluster: np.ndarray | None = None  # (n,) int64 codes 0..k-1 of the cluster column
    n_clusters: int = 0


def is_categorical(series: pd.Series) -> bool:
    """True when a column is coded as indicators (object, string, category or bool dtype)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return True
    return not pd.api.types.is_numeric_dtype(dtype)


def _levels(series: pd.Series) -> list:
    if isinstance(series.dtype, pd.CategoricalDtype):  # the categories present, in order
        codes = series.cat.codes.to_numpy()
        categories = series.cat.categories
        return list(categories[np.bincount(codes[codes >= 0], minlength=len(categories)) > 0])
    present = pd.unique(series)
    try:
        return sorted(present)
    except TypeError:  # mixed types: sort on the text
        return sorted(present, key=str)


def _as_event(values: pd.Series, name: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype=bool)
    if not pd.api.types.is_numeric_dtype(values.dtype):
        raise ValueError(f"event column {name!r} must be numeric 0/1 or bool")
    arr = values.to_numpy(dtype=float)
    bad = ~np.isin(arr, (0.0, 1.0))
    if bad.any():
        raise ValueError(
            f"event column {name!r} must hold only 0 (censored) and 1 (event); "
            f"{int(bad.sum())} row(s) hold other values"
        )
    return arr == 1.0


def _check_arguments(data, time, event, covariates, strata, reference, weights, extra=()):
    """Validate names; return (covariates, strata columns, used columns, reference).

    ``extra``: further columns that must be present and complete (start, cluster).
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError("data must be a pandas DataFrame")
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    if not covariates:
        raise ValueError("covariates must name at least one column")
    if len(set(covariates)) != len(covariates):
        raise ValueError("covariates lists a column more than once")
    strata_cols = [] if strata is None else ([strata] if isinstance(strata, str) else list(strata))
    used = list(
        dict.fromkeys(
            [time, event, *covariates, *strata_cols, *([weights] if weights else []), *extra]
        )
    )
    missing = [c for c in used if c not in data.columns]
    if missing:
        raise ValueError(f"column(s) not in data: {', '.join(map(repr, missing))}")
    reference = dict(reference or {})
    unknown = [v for v in reference if v not in covariates]
    if unknown:
        raise ValueError(f"reference given for column(s) not among covariates: {unknown}")
    return covariates, strata_cols, used, reference


def _complete_rows(data: pd.DataFrame, cols: list[str]) -> tuple[pd.DataFrame, int]:
    """The rows with a value in every column of ``cols`` (``data`` itself, not a copy, when
    every row has: the design reads its columns by name) and the number left out."""
    complete = np.ones(len(data), dtype=bool)
    for c in cols:  # column by column: avoids a frame-wide copy for large data
        complete &= data[c].notna().to_numpy()
    n_dropped = int((~complete).sum())
    frame = data if n_dropped == 0 else data.loc[complete, cols]
    if len(frame) == 0:
        raise ValueError("no complete rows: every row has a missing value in a used column")
    return frame, n_dropped


def _as_time(values: pd.Series, name: str) -> np.ndarray:
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        raise ValueError(f"time column {name!r} must be numeric")
    t = values.to_numpy(dtype=float)
    if not np.isfinite(t).all():
        raise ValueError(f"time column {name!r} holds infinite values")
    return t


def _as_weights(frame: pd.DataFrame, weights: str | None) -> np.ndarray:
    if not weights:
        return np.ones(len(frame))
    w = frame[weights].to_numpy(dtype=float)
    if not (np.isfinite(w).all() and (w >= 0).all()):
        raise ValueError(f"weights column {weights!r} must be finite and >= 0")
    if not (w > 0).any():
        raise ValueError(f"weights column {weights!r} is 0 on every row: nothing to fit")
    return w


def _categorical_terms(s: pd.Series, var: str, reference: Mapping[str, object]):
    """Indicator columns of a categorical covariate: (columns, term names, levels)."""
    lv = _levels(s)
    if var in reference:
        ref = reference[var]
        if ref not in lv:
            raise ValueError(
                f"reference level {ref!r} for {var!r} is not among its levels "
                f"{[str(x) for x in lv]}"
            )
        lv = [ref] + [x for x in lv if x != ref]
    if len(lv) < 2:
        raise ValueError(f"categorical covariate {var!r} has a single level {lv}")
    vals = s.to_numpy()
    columns = [(vals == level).astype(float) for level in lv[1:]]
    return columns, [f"{var}[{level}]" for level in lv[1:]], tuple(str(x) for x in lv)


def _numeric_term(s: pd.Series, var: str, reference: Mapping[str, object]) -> np.ndarray:
    if var in reference:
        raise ValueError(f"reference given for numeric covariate {var!r}")
    arr = s.to_numpy(dtype=float)
    if not np.isfinite(arr).all():
        raise ValueError(f"covariate {var!r} holds infinite values")
    return arr


def _as_start(frame: pd.DataFrame, start: str, time: str, stop: np.ndarray) -> np.ndarray:
    """Interval starts of the counting-process form; every interval must be non-empty."""
    s = _as_time(frame[start], start)
    bad = ~(s < stop)
    if bad.any():
        first = frame.index[np.flatnonzero(bad)[0]]
        raise ValueError(
            f"start column {start!r} must be smaller than time column {time!r} on every row "
            f"(intervals (start, time]); {int(bad.sum())} row(s) are not, the first at index "
            f"{first!r}"
        )
    return s


def _strata_codes(frame: pd.DataFrame, strata_cols: list[str]):
    if not strata_cols:
        return np.zeros(len(frame), dtype=np.int64), ()
    if len(strata_cols) > 1:
        key = frame[strata_cols].astype(str).agg(", ".join, axis=1)
    else:
        key = frame[strata_cols[0]]
    codes, uniques = pd.factorize(key, sort=True)
    return codes.astype(np.int64), tuple(str(u) for u in uniques)


def build_design(
    data: pd.DataFrame,
    *,
    time: str,
    event: str,
    covariates: Sequence[str],
    strata: str | Sequence[str] | None = None,
    reference: Mapping[str, object] | None = None,
    weights: str | None = None,
    start: str | None = None,
    cluster: str | None = None,
) -> Design:
    """Build the Cox design from ``data``; see the module docstring for the conventions.

    ``start`` names the column of interval starts (rows ``(start, time]``, R
    ``Surv(start, stop, event)``), ``cluster`` the column whose distinct values are the
    clusters of the robust variance (R ``cluster()``); rows missing either are dropped too.
    """
    extra = [c for c in (start, cluster) if c]
    covariates, strata_cols, used, reference = _check_arguments(
        data, time, event, covariates, strata, reference, weights, extra
    )
    frame, n_dropped = _complete_rows(data, used)
    w = _as_weights(frame, weights)
    if not (w > 0).all():  # weight 0: the row contributes nothing (module docstring)
        frame, w = frame[w > 0], w[w > 0]
    t = _as_time(frame[time], time)
    ev = _as_event(frame[event], event)
    t0 = _as_start(frame, start, time, t) if start else None
    cl, n_clusters = None, 0
    if cluster:
        try:
            codes, uniques = pd.factorize(frame[cluster], sort=True)
        except TypeError:  # mixed types: the order of clusters does not matter
            codes, uniques = pd.factorize(frame[cluster])
        cl, n_clusters = codes.astype(np.int64), len(uniques)

    columns: list[np.ndarray] = []
    terms: list[str] = []
    term_var: list[str] = []
    levels: dict[str, tuple[str, ...]] = {}
    for var in covariates:
        s = frame[var]
        if is_categorical(s):
            cols, names, levels[var] = _categorical_terms(s, var, reference)
        else:
            cols, names = [_numeric_term(s, var, reference)], [var]
        columns += cols
        terms += names
        term_var += [var] * len(names)
    strata_codes, strata_levels = _strata_codes(frame, strata_cols)

    x = np.empty((len(frame), len(columns)), order="F")  # contiguous columns for the fit
    for j, col in enumerate(columns):
        x[:, j] = col
    return Design(
        x=x,
        time=t,
        event=ev,
        weights=w,
        strata=strata_codes,
        strata_levels=strata_levels,
        terms=tuple(terms),
        term_variable=tuple(term_var),
        variables=tuple(covariates),
        levels=levels,
        n_dropped=n_dropped,
        weighted=bool(weights),
        start=t0,
        cluster=cl,
        n_clusters=n_clusters,
    )
