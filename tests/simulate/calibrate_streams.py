"""Re-run the search that chose ``STREAMS`` in ``oncocohort.simulate._calibration`` (not a test).

Usage::

    python tests/simulate/calibrate_streams.py courses 0 5000
    python tests/simulate/calibrate_streams.py lesions 0 30

``courses`` screens course streams with a fast numpy summary of the outcome courses (KM
medians and landmark rates, DoR, time to response, median and longest treatment, median
observation time, univariable Cox hazard ratios (Breslow ties) with log-rank p-values of the
three prognostic factors, p >= 0.05 for the others, and the 24-month PFS, which must be
estimable) and prints the candidates; each candidate is then checked with the full pipeline
(``pytest tests/simulate/test_escc_derived.py``). With the calibration of the treatment and
follow-up ranges (issue 4) this gave four candidates in 0-20000 (3389, 11063, 13281, 19943);
``courses = 3389`` is the one whose full-pipeline figures all hold and whose multivariable
model keeps all three factors at p < 0.05. Once intolerance stoppers could progress after the
longest treatment (for a 24-month PFS), 3389 still holds every target, with a 24-month PFS
of 10.8 % and hazard ratios 0.55 / 0.54 / 0.53 (ECOG 0, < 3 sites, prior ICI; log-rank p
0.037, 0.025, 0.029); 11063, 13281 and 19943 miss only the 24-month PFS, not estimable
there (nobody is left with progression after the longest treatment to stop for intolerance).
``lesions`` prints the mean best % change of the target sum for each lesion stream (target
-8.07 %; stream 4 gave -8.03 %, -7.78 % with the 24-month PFS rule). Exact counts do not
depend on the streams.
"""

from __future__ import annotations

import sys

import numpy as np
from scipy.stats import chi2

from oncocohort.simulate import _calibration as cal
from oncocohort.simulate import escc
from oncocohort.simulate._outcomes import draw_courses
from oncocohort.simulate._screening import draw_screen_failures, included_covariates

M = 30.4375
TARGET = dict(ttr=1.6, mpfs=5.5, pfs12=0.286, pfs24=0.113, mos=11.5, os12=0.49, os24=0.276,
              mdor=6.6, dur=4.7, obs_med=9.5)


def _km(t, e):
    s, out = 1.0, []
    for u in np.unique(t[e]):
        s *= 1 - ((t == u) & e).sum() / (t >= u).sum()
        out.append((u, s))
    return out


def _median(curve):
    return next((u / M for u, s in curve if s <= 0.5), np.inf)


def _at(curve, months):
    return min([1.0] + [s for u, s in curve if u <= months * M])


def _logrank(t, e, g):
    o = ex = v = 0.0
    for u in np.unique(t[e]):
        r = t >= u
        n, n1 = r.sum(), (r & g).sum()
        d, d1 = ((t == u) & e).sum(), ((t == u) & e & g).sum()
        o, ex = o + d1, ex + d * n1 / n
        if n > 1:
            v += d * (n1 / n) * (1 - n1 / n) * (n - d) / (n - 1)
    return float(np.exp((o - ex) / v)), float(chi2.sf((o - ex) ** 2 / v, 1))


def _cox_hr(t, e, x) -> float:
    """Univariable Cox hazard ratio of a binary covariate (Breslow ties, Newton-Raphson)."""
    order = np.argsort(-t, kind="stable")
    t, e, x = t[order], e[order], x[order].astype(float)
    last = np.searchsorted(-t, -t, side="right") - 1  # risk set: everyone with time >= t_i
    b = 0.0
    for _ in range(50):
        w = np.exp(b * x)
        mean = np.cumsum(w * x)[last] / np.cumsum(w)[last]
        step = np.sum(e * (x - mean)) / np.sum(e * mean * (1 - mean))
        b += step
        if abs(step) < 1e-9:
            break
    return float(np.exp(b))


def covariates(seed=escc.DEFAULT_SEED):
    rng = escc._streams(seed, 0)
    screen = cal.shuffled_labels(rng["screening"], cal.SCREENING, cal.N_SCREENED)
    draw_screen_failures(rng["screening"], screen, escc._FIRST, escc._LAST, escc._CUTOFF)
    return included_covariates(rng["screening"], int((screen == "included").sum()))


def course_summary(courses, cov) -> dict:
    pt, pe, ot, oe, dt, de, ttr, dur = ([] for _ in range(8))
    for c in courses:
        if c.pd_day is not None or c.died:
            p, ev = (c.pd_day if c.pd_day is not None else c.death_day), True
        else:
            p, ev = (c.scans[-1] if c.scans else 0), False
        pt.append(p)
        pe.append(ev)
        ot.append(c.death_day if c.died else c.last_alive_day)
        oe.append(c.died)
        if c.response_scan is not None:
            r = c.scans[c.response_scan]
            dt.append(p - r)
            de.append(ev)
            ttr.append(r / M)
        dur.append(((c.on_cutoff_day if c.eot_day is None else c.eot_day) + 1) / M)
    pt, pe, ot, oe, dt, de = map(np.asarray, (pt, pe, ot, oe, dt, de))
    pfs, os_ = _km(pt, pe), _km(ot, oe)
    m = dict(mpfs=_median(pfs), pfs12=_at(pfs, 12), mos=_median(os_), os12=_at(os_, 12),
             os24=_at(os_, 24), mdor=_median(_km(dt, de)), ttr=float(np.median(ttr)),
             dur=float(np.median(dur)), dur_max=float(np.max(dur)),
             obs_med=float(np.median(ot + 1)) / M,
             # not estimable (NaN, a miss) when the last PFS time comes before 24 months
             pfs24=_at(pfs, 24) if pt.max() >= 24 * M else float("nan"))
    groups = dict(ecog0=cov["ecog"] == 0, few=cov["n_metastatic_sites"] < 3,
                  ici=cov["prior_ici"].astype(bool), male=cov["sex"] == "M",
                  age=cov["age"] < 63, surgery=cov["prior_surgery"].astype(bool),
                  line1=cov["prior_lines"] == 1, rt=cov["radiotherapy"].astype(bool),
                  dose12=cov["anlotinib_start_dose"] == 12,
                  tislelizumab=cov["pd1_antibody"] == "tislelizumab")
    for k, g in groups.items():
        m["p_" + k] = _logrank(ot, oe, np.asarray(g, bool))[1]
        m["hr_" + k] = _cox_hr(ot.astype(float), oe, np.asarray(g, bool))
    return m


def misses(m: dict) -> list[str]:
    bad = [k for k, v in TARGET.items() if not abs(m[k] - v) <= 0.1 * v]
    # p < 0.05 needs HR <~ 0.55-0.58 with 59 deaths (docs/demo.md): as close to 0.6-0.7 as
    # that allows (the lower bounds: 90 % of that largest value, as in test_escc_derived, and
    # ECOG within 10 % of 0.6); a margin on p, as the pipeline's Efron Cox and log-rank differ
    for k, lowest in (("ecog0", 0.54), ("few", 0.515), ("ici", 0.50)):
        if not (m["p_" + k] < 0.048 and lowest <= m["hr_" + k] <= 0.62):
            bad.append(k)
    bad += [k for k in ("male", "age", "surgery", "line1", "rt", "dose12", "tislelizumab")
            if m["p_" + k] < 0.05]
    if not 20.5 <= m["dur_max"] <= 24.5:  # longest treatment 22.5 months
        bad.append("dur_max")
    return bad


def main(argv: list[str]) -> int:
    part, lo, hi = argv[0], int(argv[1]), int(argv[2])
    if part == "courses":
        cov = covariates()
        k = list(cal.STREAMS).index("courses")
        for s in range(lo, hi):
            rng = np.random.default_rng([escc.DEFAULT_SEED, 0, k, s])
            bad = misses(course_summary(draw_courses(rng, cov), cov))
            if len(bad) <= 1:
                print(s, bad, flush=True)
    elif part == "lesions":
        for s in range(lo, hi):
            cal.STREAMS["lesions"] = s
            t = escc.simulate_escc()
            les = t["lesions"][t["lesions"]["lesion_type"] == "TARGET"]
            sums = les.groupby(["subject_id", "visit_date"])["diameter"].sum()
            base = sums.groupby(level=0).transform("first")
            change = ((sums - base) / base * 100)[sums.groupby(level=0).cumcount() > 0]
            print(s, round(change.groupby(level=0).min().mean(), 2), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
