"""Adjusted internal comparisons between two groups of the cohort, as ARD rows.

For each comparison (:class:`~oncocohort.analysis.comparison_options.InternalComparison`), in
the patients with the group variable and every adjuster recorded (complete cases):

1. the propensity score, P(treated | adjusters), by logistic regression
   (:func:`~oncocohort.stats.propensity_scores`);
2. weights: inverse-probability weights for the estimand (ATE, ATT, ATO; stabilised, trimmed,
   truncated: :func:`~oncocohort.stats.propensity_weights`), or the weights of greedy
   nearest-neighbour matching on the logit of the score (:func:`~oncocohort.stats.match`,
   MatchIt's ``nearest``): 1 for the matched, 0 for the unmatched (controls matched to several
   treated patients, or with ratio > 1, weigh as MatchIt's);
3. balance before and after (:func:`~oncocohort.stats.balance`: signed SMD with the
   unweighted pooled SD, variance ratios); an adjuster with an |SMD| above
   :data:`BALANCE_SMD` after the adjustment (any of its levels) is a note (residual
   imbalance: the adjustment did not balance it);
4. per endpoint and group: the weighted Kaplan-Meier curve (robust, infinitesimal-jackknife
   variance with non-integer weights, as R ``survfit(weights=)``): patients, events, median
   and interval, landmark survival, and at each time of the at-risk grid both the number of
   patients still at risk and the sum of their weights;
5. per endpoint: the hazard ratio treated vs control from the weighted Cox model with the
   robust sandwich SE (R ``coxph(weights=, robust=TRUE)``; matching without replacement:
   clustered on the matched sets, R ``cluster(subclass)``), the unadjusted HR of the same
   patients, and the E-value of the adjusted HR and of its CI limit closest to 1 (VanderWeele
   & Ding 2017; the outcome is taken as rare when fewer than 15 % of the patients had the
   event, else the common-outcome conversion).

Rows: ``analysis="comparison"`` (``group_var`` = the comparison's name, ``group_level`` = the
level of the variable), ``analysis="balance"`` (``variable`` = the adjuster, ``category`` =
its level for a categorical one, labelled as the spec's ``variables:`` says). Every row states
its method in ``method``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from oncocohort.analysis.ard import ArdRow
from oncocohort.analysis.baseline import level_texts, sorted_levels
from oncocohort.analysis.comparison_options import InternalComparison
from oncocohort.analysis.keys import Analysis, Stat, Var
from oncocohort.analysis.notes import AnalysisNote, NoteKind
from oncocohort.analysis.survival import at_risk_grid, landmark_text
from oncocohort.analysis.variables import VariableLevels
from oncocohort.stats.balance import balance
from oncocohort.stats.cox import Cox, CoxWarning, cox
from oncocohort.stats.evalue import e_value
from oncocohort.stats.kaplan_meier import KaplanMeier, kaplan_meier
from oncocohort.stats.matching import match
from oncocohort.stats.propensity import PropensityWarning, propensity_scores, propensity_weights

__all__ = ["ComparisonResult", "ComparisonCurves", "compute_comparison", "resolve_levels",
           "RARE_OUTCOME", "BALANCE_SMD", "unbalanced"]

#: Above this |SMD| after weighting or matching an adjuster is not balanced (Austin 2009,
#: the usual mark); the report's balance table and love plot draw the same line.
BALANCE_SMD = 0.1

#: Below this share of patients with the event, an outcome is rare and the HR approximates the
#: risk ratio (VanderWeele & Ding 2017; their threshold).
RARE_OUTCOME = 0.15


@dataclass(frozen=True)
class ComparisonCurves:
    """One endpoint of a comparison: the weighted Kaplan-Meier fit per group (for figures)."""

    endpoint: str
    curves: Mapping[str, KaplanMeier]  # group level -> weighted fit
    at_risk_times: tuple[float, ...]


@dataclass(frozen=True)
class ComparisonResult:
    """One internal comparison: its rows, the levels compared, and the curves per endpoint."""

    name: str
    label: str
    variable: str
    treated: str  # level text of the index group
    control: str
    method: str  # "weighting" or "matching"
    rows: tuple[ArdRow, ...]
    endpoints: Mapping[str, ComparisonCurves] = field(default_factory=dict)
    notes: tuple[AnalysisNote, ...] = ()


def resolve_levels(values: pd.Series, treated: str, control: str | None,
                   where: str) -> tuple[str, str]:
    """The level texts (as Table 1 writes them) of ``treated`` and ``control``: the spec may
    write ``true``, ``yes``, ``1`` or ``Yes`` for the level ``Yes``. ``where`` names the
    comparison in messages."""
    levels = sorted_levels(values)

    def find(wanted: str, role: str) -> str:
        for cand in (wanted, level_texts(pd.Series([wanted])).iloc[0]):
            hits = [lv for lv in levels if lv.strip().lower() == str(cand).strip().lower()]
            if hits:
                return hits[0]
        raise ValueError(f"{where}: {role} level {wanted!r} is not a level of the variable; "
                         f"its levels: {', '.join(levels) or 'none'}")

    t = find(treated, "treated")
    if control is not None:
        c = find(control, "control")
    else:
        others = [lv for lv in levels if lv != t]
        if len(others) != 1:
            raise ValueError(f"{where}: the variable has {len(levels)} levels "
                             f"({', '.join(levels)}); say which is the control (control:)")
        c = others[0]
    return t, c


def _method_texts(c: InternalComparison) -> dict[str, str]:
    ps = f"logistic propensity score on {', '.join(c.adjust)}"
    if c.method == "weighting":
        w = f"IPW {c.estimand}, {'stabilised' if c.stabilize else 'unstabilised'}"
        if c.trim is not None:
            w += f", trimmed outside [{c.trim:g}, {1 - c.trim:g}]"
        if c.truncate is not None:
            w += f", truncated at the {c.truncate:g}/{1 - c.truncate:g} quantiles"
        km = "weighted Kaplan-Meier, robust (infinitesimal jackknife) variance"
        hr = "weighted Cox, robust sandwich SE"
    else:
        cal = f"caliper {c.caliper:g} SD of the logit" if c.caliper is not None else "no caliper"
        w = (f"greedy 1:{c.ratio} nearest-neighbour matching on the logit of the score, "
             f"largest first, {cal}, {'with' if c.replace else 'without'} replacement")
        km = "Kaplan-Meier of the matched patients (matching weights)"
        hr = ("Cox of the matched patients, robust SE clustered on the matched sets"
              if not c.replace else "Cox of the matched patients (matching weights), robust SE")
    return {"ps": ps, "weights": f"{w}; {ps}", "km": f"{km}; {w}", "hr": f"{hr}; {w}",
            "balance": f"SMD with the unweighted pooled SD; after: {w}"}


def _complete(patients: pd.DataFrame, c: InternalComparison) -> tuple[pd.DataFrame, int]:
    cols = ["subject_id", c.variable, *c.adjust]
    d = patients[cols].copy()
    d[c.variable] = level_texts(d[c.variable])
    keep = d.notna().all(axis=1)
    return d.loc[keep].reset_index(drop=True), int((~keep).sum())


def _summary_rows(values: np.ndarray, variable: str, **where: str) -> list[ArdRow]:
    if not values.size:
        return []
    return [ArdRow(Analysis.COMPARISON, stat, float(fn(values)), variable=variable, **where)
            for stat, fn in ((Stat.MIN, np.min), (Stat.MEDIAN, np.median), (Stat.MAX, np.max),
                             (Stat.MEAN, np.mean))]


def compute_comparison(
    patients: pd.DataFrame,
    tte: pd.DataFrame,
    c: InternalComparison,
    *,
    endpoints: Sequence[str],
    landmarks: Sequence[float] = (),
    conf_type: str = "log-log",
    conf_level: float = 0.95,
    median_ci: str = "brookmeyer-crowley",
    ties: str = "efron",
    levels: Sequence[VariableLevels] = (),
) -> ComparisonResult:
    """The rows of one internal comparison (see the module docstring) for ``endpoints``.
    ``patients`` hold the variables' codes (``treated`` and ``control`` are codes); the
    balance rows name the adjusters' levels by their labels in ``levels``."""
    labels = {spec.variable: spec for spec in levels}
    where_txt = f"comparison {c.name!r}"
    data, n_missing = _complete(patients, c)
    treated, control = resolve_levels(data[c.variable], c.treated, c.control, where_txt)
    data = data.loc[data[c.variable].isin([treated, control])].reset_index(drop=True)
    t = (data[c.variable] == treated).to_numpy(dtype=float)
    if t.sum() < 1 or (1 - t).sum() < 1:
        raise ValueError(f"{where_txt}: a group has no patient with complete data")
    data["_t"] = t
    methods = _method_texts(c)
    notes: list[AnalysisNote] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PropensityWarning)
        ps = propensity_scores(data, treatment="_t", covariates=list(c.adjust))
    notes += [AnalysisNote(NoteKind.PROPENSITY, str(w.message), label=c.label or c.name)
              for w in caught]
    subclass = None
    rows: list[ArdRow] = []
    base = {"group_var": c.name}
    rows.append(ArdRow(Analysis.COMPARISON, Stat.N_MISSING, float(n_missing),
                       variable=Var.PATIENTS, method="complete cases", **base))
    if c.method == "weighting":
        w = propensity_weights(ps, t, estimand=c.estimand, stabilize=c.stabilize, trim=c.trim,
                               truncate=c.truncate)
        w = np.nan_to_num(w, nan=0.0)  # trimmed (or without a score): weight 0
    else:
        m = match(data, treatment="_t", ps=ps, ratio=c.ratio, caliper=c.caliper,
                  replace=c.replace)
        w = m.weights.to_numpy(dtype=float)
        if not c.replace:
            sub = pd.Series(np.nan, index=data.index)
            for p in m.pairs.itertuples():
                sub[p.treated_id] = p.subclass
                sub[p.control_id] = p.subclass
            subclass = sub.to_numpy()
    data["_w"] = w
    if subclass is not None:
        data["_set"] = subclass
    for level, grp in ((treated, t == 1), (control, t == 0)):
        lw = {**base, "group_level": level}
        ww = w[grp]
        rows.append(ArdRow(Analysis.COMPARISON, Stat.N, float(grp.sum()), variable=Var.PATIENTS,
                           method="complete cases", **lw))
        rows += _summary_rows(ps[grp][np.isfinite(ps[grp])], Var.PROPENSITY,
                              method=methods["ps"], **lw)
        rows += _summary_rows(ww[ww > 0], Var.WEIGHTS, method=methods["weights"], **lw)
        ess = float(ww.sum() ** 2 / (ww ** 2).sum()) if (ww > 0).any() else 0.0
        rows.append(ArdRow(Analysis.COMPARISON, Stat.N_EFFECTIVE, ess, variable=Var.WEIGHTS,
                           method="Kish (sum w)^2 / sum w^2; " + methods["weights"], **lw))
        dropped = Var.TRIMMED if c.method == "weighting" else Var.UNMATCHED
        rows.append(ArdRow(Analysis.COMPARISON, Stat.N, float((ww == 0).sum()), variable=dropped,
                           method=methods["weights"], **lw))
        if c.method == "matching":
            rows.append(ArdRow(Analysis.COMPARISON, Stat.N, float((ww > 0).sum()),
                               variable=Var.MATCHED, method=methods["weights"], **lw))
    bal = balance(data, treatment="_t", covariates=list(c.adjust), weights="_w")
    for r in bal.itertuples():
        for stat, v in ((Stat.SMD_BEFORE, r.smd_before), (Stat.SMD_AFTER, r.smd_after),
                        (Stat.VR_BEFORE, r.vr_before), (Stat.VR_AFTER, r.vr_after)):
            level = ("" if pd.isna(r.level) else labels[r.variable].label(r.level)
                     if r.variable in labels else str(r.level))
            rows.append(ArdRow(Analysis.BALANCE, stat, float(v), variable=str(r.variable),
                               category=level, group_var=c.name, method=methods["balance"]))
    notes += _imbalance_notes(bal, c)
    curves: dict[str, ComparisonCurves] = {}
    for ep in endpoints:
        res = _endpoint_rows(data, tte, ep, c, treated, control, subclass, methods,
                             landmarks=landmarks, conf_type=conf_type, conf_level=conf_level,
                             median_ci=median_ci, ties=ties)
        if res is None:
            continue
        ep_rows, ep_curves, ep_notes = res
        rows += ep_rows
        curves[ep] = ep_curves
        notes += ep_notes
    return ComparisonResult(c.name, c.label, c.variable, treated, control, c.method,
                            tuple(rows), curves, tuple(notes))


def unbalanced(smd: float) -> bool:
    """|SMD| above :data:`BALANCE_SMD` as printed (3 decimals): 0.1003 prints 0.100 and is
    not called unbalanced."""
    return bool(round(abs(smd), 3) > BALANCE_SMD)


def _imbalance_notes(bal: pd.DataFrame, c: InternalComparison) -> list[AnalysisNote]:
    """One note naming each adjuster whose largest |SMD| after the adjustment (over its
    levels) exceeds :data:`BALANCE_SMD` (``unbalanced``), with that |SMD|, in the
    adjusters' order."""
    worst = bal.assign(a=bal["smd_after"].abs()).groupby("variable", sort=False)["a"].max()
    over = tuple((str(v), float(x)) for v, x in worst.items() if unbalanced(x))
    if not over:
        return []
    return [AnalysisNote(NoteKind.BALANCE, c.method, label=c.label or c.name, values=over)]


def _km_rows(time, event, w, *, where, method, landmarks, conf_type, conf_level, median_ci,
             grid, unit) -> tuple[KaplanMeier, list[ArdRow]]:
    pos = w > 0
    km = kaplan_meier(time[pos], event[pos], weights=w[pos], conf_type=conf_type,
                      conf_level=conf_level)
    a = Analysis.COMPARISON
    rows = [ArdRow(a, Stat.N, float(pos.sum()), variable=Var.PATIENTS, method=method, **where),
            ArdRow(a, Stat.N, float(event[pos].sum()), variable=Var.EVENTS, method=method,
                   **where)]
    med = km.quantile(0.5, interval=median_ci)
    for stat, v in ((Stat.MEDIAN, med.estimate), (Stat.LOWER, med.lower),
                    (Stat.UPPER, med.upper)):
        rows.append(ArdRow(a, stat, float(v), variable=Var.MEDIAN, unit=unit,
                           method=f"{method}; {median_ci} interval, {conf_type}", **where))
    last = float(time[pos].max()) if pos.any() else float("nan")
    if landmarks:
        for r in km.survival_at(list(landmarks)).itertuples():
            for stat, v in ((Stat.PCT, r.survival), (Stat.LOWER, r.lower),
                            (Stat.UPPER, r.upper)):
                v = 100.0 * v if r.time <= last else float("nan")
                rows.append(ArdRow(a, stat, v, variable=Var.LANDMARK, unit="%",
                                   category=landmark_text(r.time),
                                   method=f"{method}; {conf_type} interval", **where))
    weighted = km.n_at_risk_at(list(grid))
    for g, nw in zip(grid, weighted, strict=True):
        cat = landmark_text(g)
        n = float(((time >= g) & pos).sum())
        d = float((event[pos] & (time[pos] <= g)).sum())
        rows += [ArdRow(a, Stat.N_AT_RISK, n, variable=Var.AT_RISK, category=cat,
                        method="patients at risk", **where),
                 ArdRow(a, Stat.N_AT_RISK_WEIGHTED, float(nw), variable=Var.AT_RISK,
                        category=cat, method="sum of the weights at risk", **where),
                 ArdRow(a, Stat.N_EVENTS, d, variable=Var.AT_RISK, category=cat,
                        method="cumulative events", **where)]
    return km, rows


def _hr_rows(fit: Cox, variable: str, method: str, where: dict) -> list[ArdRow]:
    r = fit.table.loc["_t"]
    out = [ArdRow(Analysis.COMPARISON, stat, float(r[col]), variable=variable, method=method,
                  **where)
           for stat, col in ((Stat.HR, "hr"), (Stat.LOWER, "hr_lower"), (Stat.UPPER, "hr_upper"),
                             (Stat.P, "p"), (Stat.SE, "se"))]
    if fit.robust:
        out.append(ArdRow(Analysis.COMPARISON, Stat.SE_MODEL, float(r["se_model"]),
                          variable=variable, method=method, **where))
    return out


def _endpoint_rows(data, tte, ep, c, treated, control, subclass, methods, *, landmarks,
                   conf_type, conf_level, median_ci, ties):
    sub = tte.loc[tte["paramcd"] == ep, ["subject_id", "aval", "event", "unit"]]
    if sub.empty:
        return None
    unit = str(sub["unit"].iloc[0])
    d = data.merge(sub, on="subject_id", how="inner", validate="one_to_one")
    time = d["aval"].to_numpy(float)
    event = d["event"].to_numpy(int).astype(bool)
    w = d["_w"].to_numpy(float)
    t = d["_t"].to_numpy(float)
    grid = at_risk_grid(float(time[w > 0].max()) if (w > 0).any() else 0.0)
    rows: list[ArdRow] = []
    curves: dict[str, KaplanMeier] = {}
    for level, grp in ((treated, t == 1), (control, t == 0)):
        where = {"endpoint": ep, "group_var": c.name, "group_level": level}
        km, r = _km_rows(time[grp], event[grp], w[grp], where=where, method=methods["km"],
                         landmarks=landmarks, conf_type=conf_type, conf_level=conf_level,
                         median_ci=median_ci, grid=grid, unit=unit)
        curves[level] = km
        rows += r
    notes: list[AnalysisNote] = []
    where = {"endpoint": ep, "group_var": c.name, "group_level": treated}
    used = d.loc[w > 0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CoxWarning)
        kwargs = {"cluster": "_set"} if subclass is not None else {}
        fit = cox(used, time="aval", event="event", covariates=["_t"], weights="_w",
                  robust=True, ties=ties, conf_level=conf_level, **kwargs)
        crude = cox(d, time="aval", event="event", covariates=["_t"], ties=ties,
                    conf_level=conf_level)
    notes += [AnalysisNote(NoteKind.COMPARISON_COX, str(m.message), endpoint=ep,
                           label=c.label or c.name) for m in caught]
    rows += _hr_rows(fit, Var.HR, f"{methods['hr']}; ties {ties}", where)
    rows += _hr_rows(crude, Var.HR_UNADJUSTED,
                     f"unadjusted Cox of the same patients; ties {ties}", where)
    share = float(event[w > 0].mean()) if (w > 0).any() else float("nan")
    rare = share < RARE_OUTCOME
    r = fit.table.loc["_t"]
    ev = e_value(float(r["hr"]), float(r["hr_lower"]), float(r["hr_upper"]), rare_outcome=rare)
    how = ("VanderWeele & Ding 2017, HR taken as RR (rare outcome: "
           f"{100 * share:.0f}% with the event)" if rare else
           "VanderWeele & Ding 2017, common outcome: RR = (1 − 0.5^√HR) / "
           f"(1 − 0.5^√(1/HR)) ({100 * share:.0f}% with the event)")
    rows += [ArdRow(Analysis.COMPARISON, Stat.E_VALUE, ev.point, variable=Var.HR, method=how,
                    **where),
             ArdRow(Analysis.COMPARISON, Stat.E_VALUE_CI, ev.ci, variable=Var.HR, method=how,
                    **where)]
    return rows, ComparisonCurves(ep, curves, tuple(grid)), notes
