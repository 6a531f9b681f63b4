r"""Restricted mean survival time (RMST) and restricted mean time lost to a cause (RMTL).

``rmst`` integrates the Kaplan-Meier curve up to a horizon :math:`\tau`:
:math:`\mathrm{RMST}(\tau) = \int_0^\tau \hat S(t)\,dt`, the expected event-free time within
:math:`\tau`. ``rmtl`` integrates the Aalen-Johansen cumulative incidence of one cause of a
competing-risk endpoint: :math:`\mathrm{RMTL}_k(\tau) = \int_0^\tau \hat F_k(t)\,dt`, the
expected time lost to cause :math:`k` before :math:`\tau`. With groups, each group gets its
estimate and every other group is contrasted with the reference group (difference and ratio,
as R ``survRM2::rmst2``).

References
----------
Royston P, Parmar MKB (2013). Restricted mean survival time: an alternative to the hazard
ratio for the design and analysis of randomized trials with a time-to-event outcome. BMC Med
Res Methodol 13:152.
Uno H et al. (2014). Moving beyond the hazard ratio in quantifying the between-group difference
in survival analysis. J Clin Oncol 32:2380-2385.
Andersen PK (2013). Decomposition of number of life years lost according to causes of death.
Stat Med 32:5278-5285.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from numbers import Real

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from oncocohort.stats._cr_core import (
    check_cause_input,
    compute_aalen_johansen,
    compute_cr_counts,
    compute_ij_rmtl_variance,
    compute_ij_terms,
    group_codes,
)
from oncocohort.stats._dist import norm_isf, norm_sf
from oncocohort.stats._km_core import check_survival_input, compute_km_counts

__all__ = ["Contrast", "Rmst", "Rmtl", "rmst", "rmtl"]


@dataclass(frozen=True)
class Contrast:
    """A between-group contrast: estimate, standard error, CI and two-sided p-value.

    For a ratio, ``se`` is that of the log ratio and ``p_value`` tests log ratio = 0.
    """

    estimate: float
    se: float
    lower: float
    upper: float
    p_value: float
    conf_level: float

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(self)])


CONTRAST_COLUMNS = (
    "group", "reference", "difference", "difference_se", "difference_lower",
    "difference_upper", "difference_p", "ratio", "log_ratio_se", "ratio_lower", "ratio_upper",
    "ratio_p",
)


@dataclass(frozen=True, eq=False)  # holds DataFrames: compare fields, not objects
class _RestrictedMean:
    table: pd.DataFrame = field(repr=False)
    contrasts: pd.DataFrame = field(repr=False)
    tau: float
    conf_level: float
    groups: tuple | None
    reference: object | None

    def _only_contrast(self) -> pd.Series:
        if len(self.contrasts) != 1:
            n = 0 if self.groups is None else len(self.groups)
            raise ValueError(
                f"difference and ratio need exactly two groups (got {n}); see .contrasts"
            )
        return self.contrasts.iloc[0]

    @property
    def difference(self) -> Contrast:
        """Other group minus the reference group (exactly two groups)."""
        c = self._only_contrast()
        return Contrast(
            float(c.difference), float(c.difference_se), float(c.difference_lower),
            float(c.difference_upper), float(c.difference_p), self.conf_level,
        )

    @property
    def ratio(self) -> Contrast:
        """Other group over the reference group (exactly two groups); CI on the log scale."""
        c = self._only_contrast()
        return Contrast(
            float(c.ratio), float(c.log_ratio_se), float(c.ratio_lower), float(c.ratio_upper),
            float(c.ratio_p), self.conf_level,
        )

    def to_frame(self) -> pd.DataFrame:
        """The per-group table with ``tau`` and ``conf_level`` as columns."""
        out = self.table.copy()
        out["tau"] = self.tau
        out["conf_level"] = self.conf_level
        return out


@dataclass(frozen=True, eq=False)
class Rmst(_RestrictedMean):
    """Result of :func:`rmst`.

    Attributes
    ----------
    table
        One row per group (or a single row without groups): ``group`` (only with groups),
        ``n``, ``n_events``, ``rmst``, ``se``, ``lower``, ``upper`` (``rmst -/+ z se``).
    contrasts
        One row per non-reference group: ``group``, ``reference``, ``difference`` (group minus
        reference) with ``difference_se`` :math:`= \\sqrt{se_1^2 + se_0^2}`, its CI and
        p-value; ``ratio`` (group over reference) with ``log_ratio_se`` (delta method), CI
        :math:`\\exp(\\log r \\mp z\\,se)` and p-value. Empty without groups.
    tau, conf_level, groups, reference
        The horizon, the level, the group labels in order and the reference group.

    ``.difference`` and ``.ratio`` give the single contrast as a :class:`Contrast` when there
    are exactly two groups.
    """


@dataclass(frozen=True, eq=False)
class Rmtl(_RestrictedMean):
    """Result of :func:`rmtl`: as :class:`Rmst`, with the column ``rmtl`` instead of ``rmst``
    and ``cause`` (the cause of interest)."""

    cause: int = 1


def _exact(x: float) -> str:
    """Short form when it is exact, else every digit (a rounded-up limit would fail again)."""
    short = f"{x:g}"
    return short if float(short) == x else repr(float(x))


def _check_tau(tau: float, last_times: dict) -> float:
    if not isinstance(tau, Real) or not np.isfinite(tau) or tau <= 0:
        raise ValueError(f"tau must be a finite number > 0, got {tau!r}")
    usable = min(last_times.values())
    if tau > usable:
        which = [str(g) for g, t in last_times.items() if t < tau]
        where = "" if list(last_times) == [None] else f" (group(s) {', '.join(which)})"
        raise ValueError(
            f"tau = {float(tau):g} is beyond the last follow-up time{where}; the largest "
            f"usable tau is {_exact(usable)}"
        )
    return float(tau)


def _check_conf_level(conf_level: float) -> float:
    if not isinstance(conf_level, Real) or not 0 < float(conf_level) < 1:
        raise ValueError(f"conf_level must be in (0, 1), got {conf_level!r}")
    return float(conf_level)


def _groups(group, n, reference):
    if group is None:
        if reference is not None:
            raise ValueError("reference needs group")
        return np.zeros(n, dtype=np.intp), [None], None
    codes, labels = group_codes(group, "group", n)
    if reference is None:
        reference = labels[0]
    elif reference not in labels:
        raise ValueError(f"reference {reference!r} is not a group; groups: {labels}")
    return codes, labels, reference


def compute_km_rmst(time: NDArray[np.float64], event: NDArray[np.bool_], tau: float):
    r"""RMST and its variance as R ``survival:::survmean`` (``print.survfit(rmean=tau)``).

    With :math:`A_j = \int_{t_j}^{\tau} \hat S(u)\,du` for the distinct times
    :math:`t_j \le \tau`:
    :math:`\widehat{\mathrm{Var}} = \sum_j A_j^2\, d_j / \{Y_j (Y_j - d_j)\}` (0 where
    :math:`Y_j = d_j`), the delta method with Greenwood's variance.
    """
    times, y, d, _ = compute_km_counts(time, event)
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(np.where(d > 0, 1.0 - d / y, 1.0))
        hh = np.where(y > d, d / (y * (y - d)), 0.0)
    keep = times <= tau
    grid = np.concatenate(([0.0], times[keep], [tau]))
    level = np.concatenate(([1.0], surv[keep]))
    areas = np.diff(grid) * level
    after = np.cumsum(areas[::-1])[::-1][1:]  # area from t_j to tau
    return float(areas.sum()), float((after**2 * hh[keep]).sum())


def _contrasts(est, se, labels, reference, z) -> pd.DataFrame:
    if labels == [None]:
        return pd.DataFrame(columns=CONTRAST_COLUMNS)
    ref = labels.index(reference)
    rows = []
    for g, label in enumerate(labels):
        if g == ref:
            continue
        diff = est[g] - est[ref]
        d_se = float(np.hypot(se[g], se[ref]))
        with np.errstate(divide="ignore", invalid="ignore"):
            log_r = np.log(est[g]) - np.log(est[ref])
            l_se = float(np.sqrt((se[g] / est[g]) ** 2 + (se[ref] / est[ref]) ** 2))
            p_diff = float(2 * norm_sf(abs(diff / d_se)))
            p_ratio = float(2 * norm_sf(abs(log_r / l_se)))
        rows.append(
            (label, reference, diff, d_se, diff - z * d_se, diff + z * d_se, p_diff,
             float(np.exp(log_r)), l_se, float(np.exp(log_r - z * l_se)),
             float(np.exp(log_r + z * l_se)), p_ratio)
        )
    return pd.DataFrame(rows, columns=CONTRAST_COLUMNS)


def _table(labels, n, n_events, name, est, se, z) -> pd.DataFrame:
    est, se = np.asarray(est), np.asarray(se)
    table = pd.DataFrame(
        {"n": n, "n_events": n_events, name: est, "se": se, "lower": est - z * se,
         "upper": est + z * se}
    )
    if labels != [None]:
        table.insert(0, "group", labels)
    return table


def rmst(
    time: ArrayLike,
    event: ArrayLike,
    tau: float,
    *,
    group: ArrayLike | None = None,
    conf_level: float = 0.95,
    reference: object | None = None,
) -> Rmst:
    r"""Restricted mean survival time up to ``tau``, per group, with group contrasts.

    Parameters
    ----------
    time, event
        As for :func:`~oncocohort.stats.kaplan_meier.kaplan_meier`.
    tau
        The horizon, > 0 and not beyond the last follow-up time (event or censoring) of any
        group: beyond it the curve is unknown, and R (which carries the last value forward)
        and survRM2 (which refuses) disagree. The error message names the largest usable tau.
    group
        Optional group label per subject (sorted, or category order).
    conf_level
        Level of the Wald intervals ``rmst -/+ z se`` and of the contrasts.
    reference
        The group subtracted from (divided into) the others; default the first group.

    Returns
    -------
    Rmst

    Notes
    -----
    :math:`\widehat{\mathrm{RMST}}(\tau) = \int_0^\tau \hat S(t)\,dt`, a sum of rectangles under
    the Kaplan-Meier step function; the variance is the delta method with Greenwood's formula,
    :math:`\sum_{t_j \le \tau} A_j^2\, d_j / \{Y_j(Y_j - d_j)\}` with
    :math:`A_j = \int_{t_j}^\tau \hat S`: R ``summary(survfit(Surv(time, event) ~ group),
    rmean = tau)$table`` (``rmean``, ``se(rmean)``), survRM2 ``rmst2`` (same variance).
    Contrasts (survRM2 ``rmst2``): difference :math:`\mu_1 - \mu_0`,
    :math:`se = \sqrt{se_1^2 + se_0^2}`; ratio on the log scale,
    :math:`se(\log r) = \sqrt{se_1^2/\mu_1^2 + se_0^2/\mu_0^2}`; p-values two-sided from the
    normal (``norm.sf``). SAS: ``PROC LIFETEST RMST(TAU=)`` / ``PROC RMSTREG``; Stata:
    ``strmst2`` (user-written); SPSS: none (the KM "mean" is not restricted to a chosen tau).

    Examples
    --------
    >>> rmst([1, 2, 3, 4], [1, 0, 1, 1], tau=3).table["rmst"].round(4).tolist()
    [2.5]
    """
    t, e, _ = check_survival_input(time, event)
    conf_level = _check_conf_level(conf_level)
    codes, labels, reference = _groups(group, t.size, reference)
    parts = [(t, e)] if len(labels) == 1 else [(t[r], e[r]) for r in (codes == g for g in
                                                                          range(len(labels)))]
    _check_tau(tau, {lab: float(p[0].max()) for lab, p in zip(labels, parts, strict=True)})
    z = float(norm_isf((1 - conf_level) / 2))
    est, var = zip(*(compute_km_rmst(tt, ee, float(tau)) for tt, ee in parts), strict=True)
    se = np.sqrt(var)
    table = _table(
        labels, [p[0].size for p in parts], [int(p[1].sum()) for p in parts], "rmst", est, se, z
    )
    return Rmst(
        table=table,
        contrasts=_contrasts(np.asarray(est), se, labels, reference, z),
        tau=float(tau),
        conf_level=conf_level,
        groups=None if group is None else tuple(labels),
        reference=reference,
    )


def compute_rmtl(time, cause, causes, k, tau):
    """RMTL of ``causes[k]`` and its infinitesimal-jackknife variance (one group)."""
    counts = compute_cr_counts(time, cause, causes)
    s_before, s_after, cif = compute_aalen_johansen(counts)
    times, f = counts.times, cif[:, k]
    keep = times <= tau
    grid = np.concatenate(([0.0], times[keep], [tau]))
    level = np.concatenate(([0.0], f[keep]))
    value = float((np.diff(grid) * level).sum())
    terms = compute_ij_terms(counts, s_before, s_after, cif, k)
    return value, compute_ij_rmtl_variance(counts, cif, terms, k, tau)


def rmtl(
    time: ArrayLike,
    cause: ArrayLike,
    tau: float,
    *,
    cause_of_interest: int = 1,
    group: ArrayLike | None = None,
    conf_level: float = 0.95,
    reference: object | None = None,
) -> Rmtl:
    r"""Restricted mean time lost to one cause of a competing-risk endpoint, up to ``tau``.

    Parameters
    ----------
    time, cause
        As for :func:`~oncocohort.stats.competing_risks.cumulative_incidence` (0 = censored).
    tau
        The horizon; the same rule as :func:`rmst`.
    cause_of_interest
        The cause whose cumulative incidence is integrated.
    group, conf_level, reference
        As for :func:`rmst`.

    Returns
    -------
    Rmtl

    Notes
    -----
    :math:`\widehat{\mathrm{RMTL}}_k(\tau) = \int_0^\tau \hat F_k(t)\,dt` with the
    Aalen-Johansen :math:`\hat F_k`. Summed over the causes it is :math:`\tau -
    \mathrm{RMST}(\tau)` of the all-cause endpoint. Variance: the infinitesimal jackknife,
    :math:`\sum_i \{\int_0^\tau U_i(t)\,dt\}^2` with :math:`U_i` the influence of subject
    :math:`i` on :math:`\hat F_k` (see ``_cr_core.compute_ij_terms``), computed from
    cumulative sums: equal to R ``summary(survfit(Surv(time, factor(cause)) ~ group,
    influence = TRUE), rmean = tau)$table`` (``rmean``, ``se(rmean)`` of the cause's state).
    Contrasts as :func:`rmst` (survRM2 reports the RMTL contrasts of the all-cause curve; here
    they are per cause). SAS, Stata and SPSS have no built-in RMTL for competing risks.
    """
    t, c, _ = check_cause_input(time, cause)
    conf_level = _check_conf_level(conf_level)
    causes = tuple(int(x) for x in np.unique(c[c > 0]))
    if cause_of_interest not in causes:
        raise ValueError(
            f"cause_of_interest {cause_of_interest!r} does not occur; causes present: "
            f"{list(causes)}"
        )
    k = causes.index(cause_of_interest)
    codes, labels, reference = _groups(group, t.size, reference)
    parts = [(t, c)] if len(labels) == 1 else [(t[r], c[r]) for r in (codes == g for g in
                                                                          range(len(labels)))]
    _check_tau(tau, {lab: float(p[0].max()) for lab, p in zip(labels, parts, strict=True)})
    z = float(norm_isf((1 - conf_level) / 2))
    est, var = zip(
        *(compute_rmtl(tt, cc, causes, k, float(tau)) for tt, cc in parts), strict=True
    )
    se = np.sqrt(var)
    n_events = [int((p[1] == cause_of_interest).sum()) for p in parts]
    table = _table(labels, [p[0].size for p in parts], n_events, "rmtl", est, se, z)
    return Rmtl(
        table=table,
        contrasts=_contrasts(np.asarray(est), se, labels, reference, z),
        tau=float(tau),
        conf_level=conf_level,
        groups=None if group is None else tuple(labels),
        reference=reference,
        cause=int(cause_of_interest),
    )
