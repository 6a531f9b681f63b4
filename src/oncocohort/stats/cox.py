"""Cox proportional hazards regression (Breslow, Efron and exact ties; strata; weights).

The fit maximises the log partial likelihood by Newton-Raphson with step halving, with R
``coxph``'s defaults (start at beta = 0, stop when the relative change of the log-likelihood is
at most ``eps = 1e-9``, at most ``iter_max = 20`` iterations), so estimates agree with R's.

Partial likelihoods, for the distinct event times t with tie set D_t (d_t events) and risk set
R_t, r_j = w_j exp(x_j'b):

* Breslow (SAS, Stata, SPSS default):
  ``l = sum_t [ sum_{i in D_t} w_i x_i'b - w(D_t) log sum_{j in R_t} r_j ]``
* Efron (1977; R default):
  ``l = sum_t [ sum_{i in D_t} w_i x_i'b - (w(D_t)/d_t) sum_{k=0}^{d_t-1}
  log( sum_{j in R_t} r_j - (k/d_t) sum_{j in D_t} r_j ) ]``
* exact (R ``ties="exact"``, SAS ``TIES=DISCRETE``, Stata ``exactp``): the conditional
  logistic likelihood, see :mod:`oncocohort.stats._cox_exact`.

Without tied event times the three coincide.

References
----------
Cox DR (1972). Regression models and life tables. JRSS B 34:187-220.
Efron B (1977). The efficiency of Cox's likelihood function for censored data. JASA 72:557-565.
Breslow N (1974). Covariance analysis of censored survival data. Biometrics 30:89-99.
Therneau TM, Grambsch PM (2000). Modeling Survival Data. Springer, ch. 3.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial

import numpy as np
import pandas as pd
from scipy.stats import chi2

from ._cox_checks import (
    aliased_columns,
    coef_table,
    convergence_messages,
    score_statistic,
)
from ._cox_chol import chol_inverse, chol_scale
from ._cox_design import Design, build_design
from ._cox_exact import evaluate_exact, tied_risk_rows
from ._cox_fit import evaluate, linear_predictor, newton_raphson, prepare
from ._results import TestResult

__all__ = ["Cox", "cox", "CoxWarning", "TIES"]

TIES = ("efron", "breslow", "exact")


class CoxWarning(UserWarning):
    """A Cox fit finished but an estimate is unreliable (infinite coefficient, no convergence)."""


@dataclass(frozen=True)
class _FitData:
    """Arrays kept for the post-fit computations (concordance, PH test); not part of the API."""

    x: np.ndarray
    time: np.ndarray
    event: np.ndarray
    weights: np.ndarray
    strata: np.ndarray
    eta: np.ndarray
    term_variable: tuple[str, ...]


@dataclass(frozen=True, eq=False)  # holds DataFrames: compare fields, not results
class Cox:
    """Result of :func:`cox`.

    Attributes
    ----------
    table : DataFrame indexed by term with columns ``coef, se, hr, hr_lower, hr_upper, z, p``
        (Wald: ``z = coef / se``, ``p = 2 norm.sf(|z|)``, ``hr_* = exp(coef -/+ z_{1-a/2} se)``).
        Terms that cannot be estimated (collinear, constant, or without information in the
        risk sets) have NaN, as R's NA, and a warning says why.
    loglik, loglik_null : log partial likelihood at the estimate and at beta = 0.
    lr_test, wald_test, score_test : :class:`TestResult` of beta = 0 with ``df`` = number of
        estimated coefficients: ``2 (l(b) - l(0))``, ``b' V^{-1} b`` and ``U(0)' I(0)^{-1} U(0)``.
    n, n_events, n_dropped : rows used, events, rows dropped for missing values.
    var : variance matrix (inverse information at the estimate), estimated terms only.
    converged, iterations, warnings : Newton-Raphson status and any warnings raised.
    ties, conf_level, strata : the options used; ``levels``: categorical variable ->
        (reference, other levels).

    Methods: ``concordance`` (cached, Harrell's C with SE), ``ph_test()`` (R ``cox.zph``),
    ``variable_tests()`` (joint Wald per covariate), ``tests_frame()``, ``to_frame()``.
    """

    table: pd.DataFrame
    loglik: float
    loglik_null: float
    lr_test: TestResult
    wald_test: TestResult
    score_test: TestResult
    n: int
    n_events: int
    n_dropped: int
    var: np.ndarray
    converged: bool
    iterations: int
    warnings: tuple[str, ...]
    ties: str
    conf_level: float
    strata: tuple[str, ...] = ()
    levels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    _data: _FitData | None = field(default=None, repr=False, compare=False)

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(self.table.index)

    @property
    def coef(self) -> pd.Series:
        return self.table["coef"]

    @property
    def hr(self) -> pd.Series:
        return self.table["hr"]

    @cached_property
    def concordance(self):
        """Harrell's C of the linear predictor, as R ``coxph``'s ``concordance`` (with SE).

        Computed on first access (it is not needed for the fit); see
        :func:`oncocohort.stats.concordance.compute_concordance`. The predictor is summed
        left to right over the columns for every row (not a BLAS product), so identical
        covariate rows are tied on any CPU, as in R.
        """
        from .concordance import compute_concordance

        d = self._data
        return compute_concordance(
            d.time, d.event, d.eta, strata=d.strata, weights=d.weights, reverse=True
        )

    def ph_test(self, transform: str = "km"):
        """Test of proportional hazards as R ``cox.zph(fit)``; see :mod:`.cox_zph`."""
        from .cox_zph import compute_cox_zph

        return compute_cox_zph(self, transform=transform)

    def variable_tests(self) -> pd.DataFrame:
        """Joint Wald test of each covariate's terms (all levels of a categorical variable).

        ``chisq = b_k' V_kk^{-1} b_k`` over the estimated terms ``k`` of the variable, df = their
        number, ``p = chi2.sf`` (SAS PHREG "Type 3" Wald tests; R ``car::Anova(test="Wald")``).
        Rows: variable, chisq, df, p.
        """
        d = self._data
        coef = self.table["coef"].dropna().to_numpy()
        rows = []
        for var in dict.fromkeys(d.term_variable):
            k = [j for j, v in enumerate(d.term_variable) if v == var]
            b = coef[k]
            stat = float(b @ np.linalg.solve(self.var[np.ix_(k, k)], b))
            rows.append(
                {
                    "variable": var,
                    "chisq": stat,
                    "df": float(len(k)),
                    "p": float(chi2.sf(stat, len(k))),
                }
            )
        return pd.DataFrame(rows)

    def tests_frame(self) -> pd.DataFrame:
        """The three global tests as rows: test, statistic, df, p_value."""
        rows = [
            ("likelihood ratio", self.lr_test),
            ("wald", self.wald_test),
            ("score (log-rank)", self.score_test),
        ]
        return pd.DataFrame(
            [
                {"test": k, "statistic": t.statistic, "df": t.df, "p_value": t.p_value}
                for k, t in rows
            ]
        )

    def to_frame(self) -> pd.DataFrame:
        """The coefficient table with the term as a column and the fit options alongside."""
        out = self.table.reset_index(names="term")
        out["ties"] = self.ties
        out["conf_level"] = self.conf_level
        out["n"] = self.n
        out["n_events"] = self.n_events
        return out


def _chi2_test(stat: float, df: int) -> TestResult:
    return TestResult(float(stat), float(df), float(chi2.sf(stat, df)))


def _check_options(design: Design, ties: str, conf_level: float) -> None:
    if ties not in TIES:
        raise ValueError(f"ties must be one of {TIES}, not {ties!r}")
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must be strictly between 0 and 1")
    if ties == "exact" and design.weighted:
        raise ValueError("case weights are not supported with ties='exact'")
    if not design.event.any():
        raise ValueError("no events: the Cox model cannot be fitted")


def fit_design(
    design: Design,
    *,
    ties: str = "efron",
    conf_level: float = 0.95,
    eps: float = 1e-9,
    iter_max: int = 20,
) -> Cox:
    """Fit a Cox model to an already-built :class:`Design` (used by :func:`cox`)."""
    _check_options(design, ties, conf_level)
    msgs: list[str] = []
    rs = prepare(design.x, design.time, design.event, design.weights, design.strata, ties)
    alias = aliased_columns(rs.x)
    terms = np.array(design.terms)
    if alias.all():
        raise ValueError("every covariate is constant or collinear: nothing to estimate")
    if alias.any():
        msgs.append(
            "term(s) " + ", ".join(terms[alias]) + " are constant or collinear with earlier "
            "terms; their coefficients are not estimated (NaN)"
        )
        rs = prepare(
            design.x[:, ~alias], design.time, design.event, design.weights, design.strata, ties
        )
    if ties == "exact":
        fun = partial(evaluate_exact, rs=rs, tied=tied_risk_rows(rs))
    else:
        fun = partial(evaluate, rs=rs)
    x_used = design.x[:, ~alias] if alias.any() else design.x
    if design.weighted:  # R centres on the weighted mean before the weighted MAD
        scale = chol_scale(x_used, design.weights)
    else:  # rs.x is already centred (unweighted mean = weighted mean here)
        scale = chol_scale(x_used, rs.weights, centred=rs.x)
    res = newton_raphson(fun, rs.x.shape[1], scale=scale, eps=eps, iter_max=iter_max)
    if not np.all(np.isfinite(res.beta)):
        raise FloatingPointError("Cox fit failed: numeric overflow in the coefficients")
    inv, singular = chol_inverse(res.info, scale)
    names = terms[~alias]
    if singular.any():
        msgs.append(
            "X matrix deemed to be singular: no information on "
            + ", ".join(names[singular])
            + " in the risk sets; coefficient(s) not estimated (NaN)"
        )
    msgs += convergence_messages(res, inv, names, eps)
    for m in msgs:
        warnings.warn(m, CoxWarning, stacklevel=3)

    est = ~singular
    beta = res.beta[est]
    var = inv[np.ix_(est, est)]
    p = int(est.sum())
    not_estimated = alias.copy()
    not_estimated[~alias] = singular
    wald = float(beta @ np.linalg.solve(var, beta)) if p else np.nan
    x_est = x_used[:, est]
    data = _FitData(
        x=x_est,
        time=design.time,
        event=design.event,
        weights=design.weights,
        strata=design.strata,
        eta=linear_predictor(x_est, beta),  # compared for ties: fixed order, not BLAS
        term_variable=tuple(np.array(design.term_variable)[~not_estimated]),
    )
    return Cox(
        table=coef_table(terms, not_estimated, beta, var, conf_level),
        loglik=res.loglik,
        loglik_null=res.loglik_null,
        lr_test=_chi2_test(2 * (res.loglik - res.loglik_null), p),
        wald_test=_chi2_test(wald, p),
        score_test=_chi2_test(score_statistic(res.score_null, res.info_null, scale), p),
        n=len(design.time),
        n_events=int(design.event.sum()),
        n_dropped=design.n_dropped,
        var=var,
        converged=res.converged,
        iterations=res.iterations,
        warnings=tuple(msgs),
        ties=ties,
        conf_level=conf_level,
        strata=design.strata_levels,
        levels=dict(design.levels),
        _data=data,
    )


def cox(
    data: pd.DataFrame,
    *,
    time: str,
    event: str,
    covariates: Sequence[str],
    strata: str | Sequence[str] | None = None,
    ties: str = "efron",
    conf_level: float = 0.95,
    reference: Mapping[str, object] | None = None,
    weights: str | None = None,
) -> Cox:
    """Fit a Cox proportional hazards model.

    Parameters
    ----------
    data
        One row per subject.
    time, event
        Column names: follow-up time and event indicator (1/True = event, 0/False = censored).
    covariates
        Column names. Numeric columns enter as they are; object, string, category and bool
        columns are expanded to indicator terms ``var[level]`` against a reference level (the
        first sorted level, or the pandas category order; override with ``reference``).
    strata
        Column name(s): a separate baseline hazard per stratum (R ``strata()``, SAS ``STRATA``).
    ties
        ``"efron"`` (default, as R), ``"breslow"`` (SAS, Stata, SPSS default) or ``"exact"``
        (R ``exact`` = SAS ``TIES=DISCRETE`` = Stata ``exactp``: the conditional logistic
        likelihood; slow for large tied sets).
    conf_level
        Confidence level of the Wald intervals of the hazard ratios.
    reference
        ``{variable: level}``: the reference level of categorical covariates (R ``relevel``).
    weights
        Column of positive case weights (not with ``ties="exact"``).

    Returns
    -------
    Cox
        Coefficient table, log-likelihoods, likelihood-ratio, Wald and score tests, variance;
        ``.concordance`` and ``.ph_test()`` on request.

    Notes
    -----
    Rows with a missing value in any used column are dropped and counted in ``n_dropped``.
    A covariate that separates the events (monotone likelihood) makes the log-likelihood
    converge while its coefficient runs to infinity; this is detected as R does and reported
    in ``warnings`` (and through :class:`CoxWarning`), never returned silently.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1, 1, 0, 1, 1, 0],
    ...                    "arm": ["A", "B", "A", "B", "A", "B"]})
    >>> fit = cox(df, time="t", event="e", covariates=["arm"])
    >>> fit.terms
    ('arm[B]',)
    """
    design = build_design(
        data,
        time=time,
        event=event,
        covariates=covariates,
        strata=strata,
        reference=reference,
        weights=weights,
    )
    return fit_design(design, ties=ties, conf_level=conf_level)
