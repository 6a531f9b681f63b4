r"""Fine-Gray proportional subdistribution hazards regression, equal to R ``cmprsk::crr``.

The subdistribution hazard of cause :math:`k`,
:math:`\lambda_k(t) = -\,d \log\{1 - F_k(t)\}/dt`, is modelled as
:math:`\lambda_{k0}(t) \exp(x'\beta)`; :math:`\exp(\beta)` is a subdistribution hazard ratio
(an effect on the cumulative incidence, not on the cause-specific hazard). Subjects who failed
of another cause stay in the risk set after their failure, with the inverse-probability-of-
censoring weight :math:`G(t-)/G(t_j-)` (Fine & Gray 1999). Estimation maximises the weighted
log pseudo-likelihood with Breslow's handling of tied failures; the variance is Fine and Gray's
sandwich, which accounts for the estimated censoring distribution. Kernels are in
``_fine_gray_fit``; the design matrix (categorical terms ``var[level]``, missing values) is
built by the same code as :func:`oncocohort.stats.cox.cox`.

Ties: R ``survival::finegray()`` followed by a weighted ``coxph`` fits the same model, but its
censoring weights at tied times are taken at the end of each interval, so with tied times it
differs from ``crr`` (0.1-1 % relative on the monthly ``mgus2`` and tern data of the tests); with
Efron ties (coxph's default) up to 5 %. Without ties the two agree to rounding. We match
``crr``.

References
----------
Fine JP, Gray RJ (1999). A proportional hazards model for the subdistribution of a competing
risk. JASA 94:496-509.
Geskus RB (2011). Cause-specific cumulative incidence estimation and the Fine and Gray model
under both left truncation and right censoring. Biometrics 67:39-49.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._cox_checks import aliased_columns, coef_table
from ._cox_design import build_design
from ._fine_gray_fit import evaluate_fg, fit_fg, prepare_fg, sandwich_fg, singular_terms

__all__ = ["FineGray", "fine_gray"]

_EVENT_COLUMN = "__fine_gray_event__"


@dataclass(frozen=True, eq=False)  # holds DataFrames: compare fields, not results
class FineGray:
    """Result of :func:`fine_gray`.

    Attributes
    ----------
    table : DataFrame indexed by term with columns ``coef, se, hr, hr_lower, hr_upper, z, p``
        as :class:`~oncocohort.stats.cox.Cox`'s: ``hr`` is the subdistribution hazard ratio,
        ``se`` the robust (sandwich) standard error of crr, ``z = coef / se``,
        ``p = 2 norm.sf(|z|)``, ``hr_* = exp(coef -/+ z_{1-a/2} se)``.
    var : robust variance matrix of the coefficients.
    loglik, loglik_null : log pseudo-likelihood at the estimate and at beta = 0 (crr
        ``loglik`` and its value at ``init = 0``).
    n, n_events, n_competing, n_dropped : rows used, failures of the cause of interest and of
        other causes, rows dropped for missing values.
    converged, iterations : Newton-Raphson status.
    cause_of_interest, conf_level : options used; ``levels``: categorical variable ->
        (reference, other levels).
    """

    table: pd.DataFrame
    var: np.ndarray = field(repr=False)
    loglik: float
    loglik_null: float
    n: int
    n_events: int
    n_competing: int
    n_dropped: int
    converged: bool
    iterations: int
    cause_of_interest: int
    conf_level: float
    levels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(self.table.index)

    @property
    def coef(self) -> pd.Series:
        return self.table["coef"]

    @property
    def hr(self) -> pd.Series:
        return self.table["hr"]

    def to_frame(self) -> pd.DataFrame:
        """The coefficient table with the term as a column and the fit options alongside."""
        out = self.table.reset_index(names="term")
        out["cause_of_interest"] = self.cause_of_interest
        out["conf_level"] = self.conf_level
        out["n"] = self.n
        out["n_events"] = self.n_events
        out["n_competing"] = self.n_competing
        return out


def _cause_column(data: pd.DataFrame, cause: str) -> np.ndarray:
    if cause not in data.columns:
        raise ValueError(f"column(s) not in data: {cause!r}")
    s = data[cause]
    if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        raise ValueError(f"cause column {cause!r} must be numeric: 0 censored, 1, 2, ... events")
    c = s.to_numpy(dtype=float)
    ok = np.isnan(c) | ((c >= 0) & (c == np.floor(c)))
    if not ok.all():
        raise ValueError(
            f"cause column {cause!r} must hold 0 (censored) or whole numbers >= 1 (event "
            f"types); {int((~ok).sum())} row(s) hold other values"
        )
    return c


def fine_gray(
    data: pd.DataFrame,
    *,
    time: str,
    cause: str,
    covariates: Sequence[str],
    cause_of_interest: int = 1,
    reference: Mapping[str, object] | None = None,
    conf_level: float = 0.95,
) -> FineGray:
    """Fit a Fine-Gray proportional subdistribution hazards model.

    Parameters
    ----------
    data
        One row per subject.
    time, cause
        Column names: time to the first event or censoring, and its type (0 = censored,
        1, 2, ... = event types).
    covariates
        Column names; numeric columns enter as they are, object/string/category/bool columns
        as indicators ``var[level]`` against a reference level (as
        :func:`~oncocohort.stats.cox.cox`).
    cause_of_interest
        The event type whose cumulative incidence is modelled; all other types compete.
    reference
        ``{variable: level}``: the reference level of categorical covariates.
    conf_level
        Confidence level of the Wald intervals of the hazard ratios.

    Returns
    -------
    FineGray

    Notes
    -----
    Equal to ``crr(ftime, fstatus, cov1 = model.matrix(...)[, -1], failcode = k)`` run to full
    convergence (crr's default ``gtol = 1e-6`` stops ~1e-6 relative short; we iterate Newton
    to a step below 1e-10). One censoring distribution (crr's ``cengroup`` is not offered).
    Rows with a missing value in a used column are dropped and counted in ``n_dropped``.
    When the information matrix is singular (a term constant in every risk set of a failure of
    interest, or collinear there), the variance is not computable: ``var`` and the ``se``,
    CI, ``z`` and ``p`` columns are NaN and a warning names the terms (R ``crr`` stops with
    "system is exactly singular"); the coefficients are returned as fitted.
    SAS: ``PROC PHREG; MODEL t*cause(0) = x / EVENTCODE=k;`` (Breslow ties by default; not
    checked here). Stata:
    ``stcrreg x, compete(cause == j)``. SPSS: none.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6, 7, 8], "c": [1, 2, 1, 0, 1, 2, 0, 1],
    ...                    "arm": ["A", "B", "A", "B", "B", "A", "B", "A"]})
    >>> fine_gray(df, time="t", cause="c", covariates=["arm"]).terms
    ('arm[B]',)
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError("data must be a pandas DataFrame")
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must be strictly between 0 and 1")
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    absent = [col for col in dict.fromkeys([time, *covariates]) if col not in data.columns]
    if absent:
        raise ValueError(f"column(s) not in data: {', '.join(map(repr, absent))}")
    c = _cause_column(data, cause)
    keep = ~np.isnan(c)
    n_missing_cause = int((~keep).sum())
    frame = data.loc[keep] if n_missing_cause else data
    frame = frame[[time, *[v for v in covariates if v != time]]].copy()
    frame[_EVENT_COLUMN] = c[keep] != 0
    design = build_design(
        frame, time=time, event=_EVENT_COLUMN, covariates=covariates, reference=reference
    )
    complete = np.ones(len(frame), dtype=bool)
    for col in [time, *covariates]:
        complete &= frame[col].notna().to_numpy()
    cc = c[keep][complete]
    if (design.time < 0).any():
        raise ValueError(f"time column {time!r} holds negative values")
    status = np.where(cc == 0, 0, np.where(cc == cause_of_interest, 1, 2)).astype(np.int64)
    if not (status == 1).any():
        present = sorted(int(v) for v in np.unique(cc[cc > 0]))
        raise ValueError(
            f"no events of cause_of_interest {cause_of_interest!r}; causes present: {present}"
        )
    fg = prepare_fg(design.x, design.time, status)
    alias = aliased_columns(fg.x)
    if alias.any():
        raise ValueError(
            "term(s) " + ", ".join(np.array(design.terms)[alias]) + " are constant or "
            "collinear with earlier terms: remove them (the model cannot be estimated)"
        )
    fit = fit_fg(fg)
    terms = np.array(design.terms)
    singular = singular_terms(fg, fit.final)
    diverged = not fit.converged and not (
        singular.any() and singular_terms(fg, evaluate_fg(np.zeros(len(terms)), fg)).any())
    if diverged:
        warnings.warn(
            f"Fine-Gray fit did not converge in {fit.iterations} iterations; a coefficient may "
            "be infinite (a covariate separates the failures of interest from the rest of their "
            "risk sets): its hazard ratio and CI are not reliable",
            UserWarning,
            stacklevel=2,
        )
    elif singular.any():
        # no inverse of the information: the variance is not computable (crr stops here)
        warnings.warn(
            "Fine-Gray: the information matrix is singular (term(s) "
            + ", ".join(terms[singular]) + " carry no information in the risk sets of the "
            "failures of interest, or are collinear there; a coefficient running off to "
            "infinity has none left): standard errors, confidence intervals and p-values are "
            "NaN",
            UserWarning,
            stacklevel=2,
        )
    if singular.any():
        var = np.full((len(terms), len(terms)), np.nan)
    else:
        var = sandwich_fg(fg, fit.final)  # the evaluation at the returned estimate
    # a fit that did not converge or a singular one has been reported above: NaN is expected
    quiet = singular.any() or not fit.converged
    with np.errstate(invalid="ignore" if quiet else "warn",
                     divide="ignore" if quiet else "warn"):
        table = coef_table(terms, np.zeros(len(terms), dtype=bool), fit.beta, var, conf_level)
    return FineGray(
        table=table,
        var=var,
        loglik=fit.loglik,
        loglik_null=fit.loglik_null,
        n=len(design.time),
        n_events=int((status == 1).sum()),
        n_competing=int((status == 2).sum()),
        n_dropped=n_missing_cause + design.n_dropped,
        converged=fit.converged,
        iterations=fit.iterations,
        cause_of_interest=int(cause_of_interest),
        conf_level=float(conf_level),
        levels=dict(design.levels),
    )
