"""Cox proportional hazards regression (Breslow, Efron and exact ties; strata; weights;
counting-process (start, stop] rows; robust and clustered sandwich variance).

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

Counting-process form (R ``Surv(start, stop, event)``, SAS ``MODEL (start, stop)*status``,
Stata ``stset`` with ``enter``/``exit`` or ``stsplit``): a row ``(start, stop]`` is in the
risk set R_t when ``start < t <= stop``, so a subject's covariates may change between its rows
(time-varying covariates) and late entry is handled (left truncation).

Robust variance (R ``robust=TRUE`` / ``cluster()``): ``V_rob = D'D`` with ``D`` the dfbeta
residuals summed within clusters, see :mod:`oncocohort.stats._cox_robust`.

References
----------
Cox DR (1972). Regression models and life tables. JRSS B 34:187-220.
Efron B (1977). The efficiency of Cox's likelihood function for censored data. JASA 72:557-565.
Breslow N (1974). Covariance analysis of censored survival data. Biometrics 30:89-99.
Therneau TM, Grambsch PM (2000). Modeling Survival Data. Springer, ch. 3, 5 and 7.
Andersen PK, Gill RD (1982). Cox's regression model for counting processes. Ann Stat 10:1100-1120.
Lin DY, Wei LJ (1989). The robust inference for the Cox proportional hazards model. JASA
84:1074-1078.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial

import numpy as np
import pandas as pd

from ._cox_checks import (
    aliased_columns,
    coef_table,
    convergence_messages,
    infinite_terms,
    score_statistic,
)
from ._cox_chol import chol_inverse, chol_scale, chol_solve
from ._cox_design import Design, build_design
from ._cox_exact import evaluate_exact, tied_risk_rows
from ._cox_fit import evaluate, linear_predictor, newton_raphson, prepare
from ._cox_robust import robust_score_statistic, sandwich
from ._dist import chi2_sf
from ._results import TestResult
from .concordance import compute_concordance
from .cox_zph import compute_cox_zph

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
    start: np.ndarray | None = None
    cluster: np.ndarray | None = None


@dataclass(frozen=True, eq=False)  # holds DataFrames: compare fields, not results
class Cox:
    """Result of :func:`cox`.

    Attributes
    ----------
    table : DataFrame indexed by term with columns ``coef, se, hr, hr_lower, hr_upper, z, p,
        se_model`` (Wald: ``z = coef / se``, ``p = 2 norm.sf(|z|)``,
        ``hr_* = exp(coef -/+ z_{1-a/2} se)``). ``se`` is the robust SE when the variance is
        robust (as R's ``summary``: z, p and CI use it) and ``se_model`` the model-based one
        (R ``se(coef)``); without a robust variance the two are equal. Terms that cannot be
        estimated (collinear, constant, or without information in the risk sets) have NaN, as
        R's NA, and a warning says why.
    loglik, loglik_null : log partial likelihood at the estimate and at beta = 0.
    lr_test, wald_test, score_test : :class:`TestResult` of beta = 0 with ``df`` = number of
        estimated coefficients: ``2 (l(b) - l(0))``, ``b' V^{-1} b`` (with the robust ``V``
        when robust, as R) and ``U(0)' I(0)^{-1} U(0)`` (model-based).
    n, n_events, n_dropped : rows used, events, rows dropped for missing values.
    var : variance matrix of the estimated terms: the robust one when ``robust`` (R
        ``fit$var``), else the inverse information; ``var_model`` is always the latter (R
        ``fit$naive.var``).
    converged, iterations, warnings : Newton-Raphson status and any warnings raised.
    infinite : the terms whose coefficient may be infinite (monotone likelihood, R's warning
        "Loglik converged before variable ..."): their estimate, CI and p are not reliable and
        are reported as not estimable.
    ties, conf_level, strata : the options used; ``levels``: categorical variable ->
        (reference, other levels).
    robust, cluster, n_clusters : whether the variance is the robust sandwich, the cluster
        column (None: each row its own cluster) and the number of clusters (0 when not robust).
    robust_score_test : R's robust score test of beta = 0 (``fit$rscore``); None unless robust.
    start : the column of interval starts of a counting-process fit, None for right-censored.

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
    var_model: np.ndarray | None = None
    robust: bool = False
    cluster: str | None = None
    n_clusters: int = 0
    robust_score_test: TestResult | None = None
    start: str | None = None
    infinite: tuple[str, ...] = ()

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
        d = self._data
        return compute_concordance(
            d.time,
            d.event,
            d.eta,
            strata=d.strata,
            weights=d.weights,
            reverse=True,
            start=d.start,
            cluster=d.cluster,
        )

    def ph_test(self, transform: str = "km"):
        """Test of proportional hazards as R ``cox.zph(fit)``; see :mod:`.cox_zph`."""
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
            stat = _wald(self.var[np.ix_(k, k)], b, self.robust)
            rows.append(
                {
                    "variable": var,
                    "chisq": stat,
                    "df": float(len(k)),
                    "p": float(chi2_sf(stat, len(k))),
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
        out["variance"] = "robust" if self.robust else "model"
        out["cluster"] = self.cluster or ""
        out["conf_level"] = self.conf_level
        out["n"] = self.n
        out["n_events"] = self.n_events
        return out


def _wald(var: np.ndarray, b: np.ndarray, robust: bool) -> float:
    """``b' var^{-1} b``. A robust variance can be singular (e.g. fewer clusters than terms):
    then, as R's ``coxph.wtest``, a Cholesky solve that drops singular pivots."""
    if robust:
        return float(b @ chol_solve(var, b, np.ones(len(b))))
    return float(b @ np.linalg.solve(var, b))


def _chi2_test(stat: float, df: int) -> TestResult:
    return TestResult(float(stat), float(df), float(chi2_sf(stat, df)))


def _check_options(design: Design, ties: str, conf_level: float) -> None:
    if ties not in TIES:
        raise ValueError(f"ties must be one of {TIES}, not {ties!r}")
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must be strictly between 0 and 1")
    if ties == "exact" and design.weighted:
        raise ValueError("case weights are not supported with ties='exact'")
    if not design.event.any():
        raise ValueError("no events: the Cox model cannot be fitted")


def _use_robust(design: Design, robust: bool | None, ties: str) -> bool:
    """R's rule: robust when asked, or by default with a cluster or non-integer weights."""
    if robust is None:
        w = design.weights
        robust = design.cluster is not None or bool(np.any(w != np.floor(w)))
    elif robust not in (True, False):
        raise ValueError(f"robust must be True, False or None, not {robust!r}")
    if design.cluster is not None and not robust:
        raise ValueError("cluster= asks for the clustered robust variance: not with robust=False")
    if robust and ties == "exact":
        raise ValueError(
            "the robust variance is not available with ties='exact' (it needs score residuals, "
            "which the exact partial likelihood does not give, as in R); use 'efron' or 'breslow'"
        )
    return bool(robust)


def fit_design(
    design: Design,
    *,
    ties: str = "efron",
    conf_level: float = 0.95,
    eps: float = 1e-9,
    iter_max: int = 20,
    robust: bool | None = False,
    names: Mapping[str, str | None] | None = None,
) -> Cox:
    """Fit a Cox model to an already-built :class:`Design` (used by :func:`cox`).

    ``robust``: as in :func:`cox`; ``names``: the ``start`` and ``cluster`` column names to
    record on the result.
    """
    _check_options(design, ties, conf_level)
    robust = _use_robust(design, robust, ties)
    names = dict(names or {})
    counting = design.start is not None
    msgs: list[str] = []
    rs = prepare(
        design.x,
        design.time,
        design.event,
        design.weights,
        design.strata,
        ties,
        start=design.start,
    )
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
            design.x[:, ~alias],
            design.time,
            design.event,
            design.weights,
            design.strata,
            ties,
            start=design.start,
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
    # R fits (start, stop] data with agfit4 (its own step shortening) unless ties are exact
    halving = "agfit4" if counting and ties != "exact" else "coxfit6"
    res = newton_raphson(
        fun, rs.x.shape[1], scale=scale, eps=eps, iter_max=iter_max, halving=halving
    )
    if not np.all(np.isfinite(res.beta)):
        raise FloatingPointError("Cox fit failed: numeric overflow in the coefficients")
    inv, singular = chol_inverse(res.info, scale)
    used_terms = terms[~alias]
    if singular.any():
        msgs.append(
            "X matrix deemed to be singular: no information on "
            + ", ".join(used_terms[singular])
            + " in the risk sets; coefficient(s) not estimated (NaN)"
        )
    rule = "agreg" if counting and ties != "exact" else "coxph"
    msgs += convergence_messages(res, inv, used_terms, eps, rule=rule)
    infinite = used_terms[infinite_terms(res, inv, eps, rule=rule) & ~singular]
    for m in msgs:
        warnings.warn(m, CoxWarning, stacklevel=3)

    est = ~singular
    beta = res.beta[est]
    var_model = inv[np.ix_(est, est)]
    p = int(est.sum())
    not_estimated = alias.copy()
    not_estimated[~alias] = singular
    var, rscore = var_model, None
    cluster_rs = None if design.cluster is None else design.cluster[rs.perm]
    if robust and p:
        x_rs = rs.x[:, est]
        var = sandwich(x_rs, beta, rs, var_model, cluster_rs)
        rscore = _chi2_test(robust_score_statistic(x_rs, rs, cluster_rs), p)
    wald = _wald(var, beta, robust) if p else np.nan
    x_est = x_used[:, est]
    data = _FitData(
        x=x_est,
        time=design.time,
        event=design.event,
        weights=design.weights,
        strata=design.strata,
        eta=linear_predictor(x_est, beta),  # compared for ties: fixed order, not BLAS
        term_variable=tuple(np.array(design.term_variable)[~not_estimated]),
        start=design.start,
        cluster=design.cluster,
    )
    n_clusters = 0
    if robust:
        n_clusters = design.n_clusters if design.cluster is not None else len(design.time)
    return Cox(
        table=coef_table(terms, not_estimated, beta, var, conf_level, var_model=var_model),
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
        infinite=tuple(str(t) for t in infinite),
        ties=ties,
        conf_level=conf_level,
        strata=design.strata_levels,
        levels=dict(design.levels),
        _data=data,
        var_model=var_model,
        robust=robust,
        cluster=names.get("cluster"),
        n_clusters=n_clusters,
        robust_score_test=rscore,
        start=names.get("start"),
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
    start: str | None = None,
    cluster: str | None = None,
    robust: bool | None = None,
) -> Cox:
    """Fit a Cox proportional hazards model.

    Parameters
    ----------
    data
        One row per subject, or with ``start`` one row per interval ``(start, time]`` of a
        subject (several rows per subject when covariates change over time).
    time, event
        Column names: follow-up time and event indicator (1/True = event, 0/False = censored).
        With ``start``, ``time`` is the end of the interval and ``event`` whether it ends with
        the event.
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
        Column of case weights, finite and >= 0 (not with ``ties="exact"``). Rows of weight 0
        (units trimmed or left unmatched) contribute nothing and are left out: the fit equals
        R's ``coxph(weights = w, subset = w > 0)`` (R's ``coxph`` refuses weights of 0), and
        ``n`` counts the rows with a positive weight.
    start
        Column of interval starts: the counting-process form ``(start, time]`` (R
        ``Surv(start, stop, event)``). A row is at risk at event times t with
        ``start < t <= time``; ``start < time`` is required on every row. Time-varying
        covariates (e.g. from ``survSplit`` or a dated event), late entry, and all ``ties``.
    cluster
        Column whose values group correlated rows (a subject's intervals, a matched pair, a
        centre): the robust variance sums the dfbeta residuals within each group (R
        ``cluster()``, SAS ``COVS(AGGREGATE)`` with ``ID``, Stata ``vce(cluster)``).
    robust
        Sandwich variance ``D'D`` (Lin & Wei 1989): ``se``, ``z``, ``p``, the CI, the Wald
        tests use it, ``se_model`` keeps the model-based SE. ``None`` (default) follows R's
        ``coxph``: robust when ``cluster`` is given or a weight is not an integer (sampling or
        propensity weights), model-based otherwise; issue 16's signature said ``False``, and
        without a cluster or non-integer weights the two agree (docs/statistics.md says why
        the default keeps R's rule). ``True`` without ``cluster``: each row is
        its own cluster (R needs ``cluster(row id)`` for this with ``(start, stop]`` data).
        Not with ``ties="exact"`` (as R).

    Returns
    -------
    Cox
        Coefficient table, log-likelihoods, likelihood-ratio, Wald and score tests, variance;
        ``.concordance`` and ``.ph_test()`` on request.

    Notes
    -----
    Rows with a missing value in any used column are dropped and counted in ``n_dropped``.
    With (start, stop] rows ``n`` counts rows, not subjects (as R's ``n``), and a subject's rows
    must not overlap in time (not checked: R does not check either).
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

    A covariate that changes at t = 2 for the first subject, in (start, stop] rows:

    >>> tv = pd.DataFrame({"t0": [0, 2, 0, 0, 1, 0], "t1": [2, 5, 3, 4, 6, 1],
    ...                    "e": [0, 1, 1, 0, 1, 1], "x": [0, 1, 0, 1, 0, 1],
    ...                    "id": [1, 1, 2, 3, 4, 5]})
    >>> fit = cox(tv, start="t0", time="t1", event="e", covariates=["x"], cluster="id")
    >>> row = fit.table.loc["x"]
    >>> [round(float(v), 6) for v in (row.hr, row.se_model**2, row.se**2)]  # 2, 3/2, 17/18
    [2.0, 1.5, 0.944444]
    """
    design = build_design(
        data,
        time=time,
        event=event,
        covariates=covariates,
        strata=strata,
        reference=reference,
        weights=weights,
        start=start,
        cluster=cluster,
    )
    return fit_design(
        design,
        ties=ties,
        conf_level=conf_level,
        robust=robust,
        names={"start": start, "cluster": cluster},
    )
