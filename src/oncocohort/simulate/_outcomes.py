"""Outcome courses of the included patients: survival, progression, scans and lesions.

Exact counts are built in by rank and allocation (which patients are still on treatment, lost
to follow-up, stop for toxicity, die, have progression at the first scan, respond); the
continuous quantities come from a Weibull proportional-hazards model for overall survival with
stratified uniforms inside each covariate cell, which keeps the group curves close to the
model's and the hazard ratios close to the calibrated ones even with 87 patients.

Follow-up is finite: nobody is observed beyond ``_LAST_OBS_DAYS`` (the published longest
follow-up, 33.6 months) and nobody is treated beyond 22.5 months (the published longest
treatment; patients are treated until progression). A latent time past its limit is never
*moved* onto it (which would stack events on one day); the patient is censored instead. Latent
progression past ``_PFS_LIMIT`` makes the patient one of those censored for PFS (still on
treatment at the cut-off, or lost to follow-up); latent death past the limit makes a progressed
patient one of the survivors, last seen on a day drawn between the progression scan and the
limit and administratively censored at the data cut-off (the index date is placed accordingly).
Progression after the longest treatment is observed only in a patient who stopped treatment
earlier for intolerance and is still scanned: the patients left with such a latent progression
once the censored courses are filled stop for intolerance (they trade courses with the
intolerance stoppers of longest latent progression), and their progression is observed up to
``_AE_PFS_LIMIT``, which is what keeps the PFS curve going past 24 months.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr, ndtri  # the standard normal cdf and quantile

from oncocohort.simulate import _calibration as cal

__all__ = ["Course", "draw_courses", "draw_lesions"]

_LAST_OBS_DAYS = 1022  # longest observation: 33.6 months (day 1022 = 33.6 * 30.4375 - 1)
# latest latent progression whose PD scan (<= 55 days later) and end of treatment (shortly
# after it) fall within the longest treatment
_PFS_LIMIT = cal.LONGEST_TREATMENT_DAYS - 56 - cal.EOT_AROUND_PD_DAYS[1]
# latest latent progression of a patient who stopped for intolerance: the PD scan (<= 55 days
# later) and some time alive after it fall within the longest follow-up
_AE_PFS_LIMIT = _LAST_OBS_DAYS - 90
# an intolerance stopper's last dose is 0.3-0.8 of the time to progression, and at most the
# longest treatment: the fraction applies to at most this many days
_AE_EOT_BASE = int(cal.LONGEST_TREATMENT_DAYS / 0.8)
_MIN_FOLLOW_UP = (cal.DATA_CUTOFF - cal.INDEX_LAST).days  # index <= 2024-12-31


@dataclass
class Course:
    """Day numbers (index = day 0) of one included patient's course."""

    course: str
    died: bool
    death_day: int | None
    last_alive_day: int
    pd_day: int | None  # radiological progression (PD scan day)
    scans: list[int] = field(default_factory=list)  # post-baseline scan days, up to PD
    bor: str = "NE"
    response_scan: int | None = None  # index in scans of the first PR
    eot_day: int | None = None  # last dose day; None = on treatment at the cut-off
    eot_reason: str | None = None
    on_cutoff_day: int | None = None  # for on-treatment patients: cut-off day
    at_cutoff: bool = False  # alive and followed up to the data cut-off (last contact = cut-off)


def _stratified_uniform(rng: np.random.Generator, cells: np.ndarray) -> np.ndarray:
    u = np.empty(len(cells))
    for c in np.unique(cells):
        idx = np.flatnonzero(cells == c)
        u[idx] = (rng.permutation(len(idx)) + rng.uniform(size=len(idx))) / len(idx)
    return u


def _scan_days(rng: np.random.Generator, until: int) -> list[int]:
    days = []
    d = int(rng.integers(44, 57))
    while d <= until:
        days.append(d)
        d += int(rng.integers(42, 57))
    return days


def _pick(rng: np.random.Generator, pool: np.ndarray, k: int, weight: np.ndarray | None = None):
    if k <= 0 or len(pool) == 0:
        return np.array([], dtype=int)
    k = min(k, len(pool))
    p = None
    if weight is not None:
        p = weight / weight.sum()
    return rng.choice(pool, size=k, replace=False, p=p)


def _pick_first(rng: np.random.Generator, pool: np.ndarray, k: int, first: np.ndarray,
                weight: np.ndarray | None = None) -> np.ndarray:
    """``k`` of ``pool``: the members flagged in ``first`` (up to ``k``), the rest by
    :func:`_pick` (``first`` and ``weight`` are indexed by patient)."""
    must = rng.permutation(pool[first[pool]])[:k]
    rest = np.setdiff1d(pool, must)
    w = None if weight is None else weight[rest]
    return np.concatenate([must, _pick(rng, rest, k - len(must), w)]).astype(int)


def draw_courses(rng: np.random.Generator, cov: dict[str, np.ndarray]) -> list[Course]:
    """One :class:`Course` per included patient (covariates as arrays of equal length)."""
    n = len(cov["ecog"])
    if n == 0:
        return []
    ecog0 = cov["ecog"] == 0
    few = cov["n_metastatic_sites"] < 3
    ici = cov["prior_ici"].astype(bool)
    lp = cal.LOG_HR["ecog0"] * ecog0 + cal.LOG_HR["few_sites"] * few + cal.LOG_HR["prior_ici"] * ici
    lp = lp - lp.mean()
    cells = ecog0 * 4 + few * 2 + ici * 1
    u = _stratified_uniform(rng, cells)
    t_lat = cal.OS_SCALE_DAYS * (-np.log(u) / np.exp(lp)) ** (1 / cal.OS_SHAPE)
    # PFS: Gaussian-copula partner of the OS uniform, its own Weibull margin
    v = _stratified_uniform(rng, np.zeros(n, dtype=int))
    z = cal.PFS_OS_CORRELATION * ndtri(u) + np.sqrt(1 - cal.PFS_OS_CORRELATION ** 2) * ndtri(v)
    lp_pfs = cal.PFS_LP_FRACTION * lp
    p_lat = cal.PFS_SCALE_DAYS * (-np.log(ndtr(z)) / np.exp(lp_pfs)) ** (1 / cal.PFS_SHAPE)
    p_lat = np.maximum(p_lat, 30)
    t_lat = np.maximum(t_lat, p_lat + rng.uniform(20, 90, size=n))

    alloc = cal.allocate(cal.COURSE, n)
    scale = n / cal.N_INCLUDED
    bor_alloc = cal.allocate(cal.BOR, n)
    n_ne = bor_alloc["NE"]
    n_ne_lost = min(cal.allocate({"l": cal.NE_LOST, "d": cal.BOR["NE"] - cal.NE_LOST},
                                 n_ne)["l"], alloc["lost"])
    n_ne_dead = n_ne - n_ne_lost
    n_deaths = int(round(cal.N_DEATHS * scale)) if n != cal.N_INCLUDED else cal.N_DEATHS
    order_t = np.argsort(t_lat, kind="stable")
    course = np.full(n, "", dtype=object)

    ne_dead = order_t[:n_ne_dead]
    course[ne_dead] = "pd_stop"
    # progression past the follow-up limit is not observed: those patients fill the courses
    # censored for PFS first (on treatment at the cut-off, then lost to follow-up)
    late_pd = p_lat > _PFS_LIMIT
    free = np.flatnonzero(course == "")
    eligible = free[p_lat[free] >= 250]
    on_t = _pick_first(rng, eligible, alloc["on_treatment"], late_pd)
    course[on_t] = "on_treatment"
    free = np.flatnonzero(course == "")
    lost = rng.permutation(_pick_first(rng, free, alloc["lost"], late_pd))
    course[lost] = "lost"
    ne_lost = lost[:n_ne_lost]
    free = np.flatnonzero(course == "")
    ae = _pick(rng, free, alloc["ae_stop"])
    course[ae] = "ae_stop"
    course[course == ""] = "pd_stop"

    events = np.flatnonzero(np.isin(course, ["ae_stop", "pd_stop"]))
    scanned_events = np.setdiff1d(events, ne_dead)
    n_alive_pd = len(events) - n_deaths
    # death past the follow-up limit is not observed: those patients are the survivors first
    alive_pd = _pick_first(rng, scanned_events, n_alive_pd, t_lat > _LAST_OBS_DAYS,
                           t_lat - p_lat)
    # BOR PD: the shortest latent PFS among the scanned patients with an event
    pd_first = scanned_events[np.argsort(p_lat[scanned_events], kind="stable")][:bor_alloc["PD"]]
    # responders among the other scanned patients, favouring long PFS
    scanned = np.setdiff1d(np.arange(n), np.concatenate([ne_dead, ne_lost, pd_first]))
    resp = _pick(rng, scanned, bor_alloc["PR"], p_lat[scanned] ** cal.RESPONSE_PFS_POWER)

    shortest = ne_dead[:1]  # the shortest course of the block (see _calibration)
    sets = [set(a.tolist()) for a in (ne_dead, ne_lost, alive_pd, pd_first, resp, shortest)]
    courses = [_one_course(rng, i, course[i], t_lat[i], p_lat[i], *(i in s for s in sets))
               for i in range(n)]
    # progression after the longest treatment cannot end a treatment (nobody is treated that
    # long): the patients still left with it stop for intolerance instead, in place of the
    # intolerance stoppers with the longest latent progression (both sets hold PFS events, so
    # the other allocations stay valid). Their courses are drawn again after everyone else's,
    # which leaves every other course exactly as drawn above.
    late = np.flatnonzero((course == "pd_stop") & late_pd & ~np.isin(np.arange(n), ne_dead))
    late = late[np.argsort(-p_lat[late], kind="stable")]
    ae = np.flatnonzero(course == "ae_stop")
    ae = ae[np.argsort(-p_lat[ae], kind="stable")][: len(late)]
    late = late[: len(ae)]
    course[late], course[ae] = "ae_stop", "pd_stop"
    redraw = [late, ae, *_top_up_late_ae(course, p_lat, late_pd, ne_lost, pd_first, sets[2])]
    for i in np.sort(np.concatenate(redraw)):
        courses[i] = _one_course(rng, i, course[i], t_lat[i], p_lat[i], *(i in s for s in sets))
    return courses


def _top_up_late_ae(course, p_lat, late_pd, ne_lost, pd_first, alive_pd: set
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Make ``LATE_AE_SHARE`` of the intolerance stoppers late progressors (in place).

    In the demo the late progressors left over by the censored courses are enough; in larger
    cohorts the courses censored for PFS (on treatment, lost) take them all and nobody's PFS
    would pass the longest treatment. Then censored patients with a late latent progression
    trade courses with the intolerance stoppers of longest latent progression among those
    without one (at least 250 days, as the courses on treatment need). A survivor's status
    moves with the course, so the deaths stay as allocated. Returns the traded patients (their
    courses are drawn again); nothing is traded when the share is already met.
    """
    none = np.array([], dtype=int)
    ae = np.flatnonzero(course == "ae_stop")
    want = int(round(len(ae) * cal.LATE_AE_SHARE)) - int(late_pd[ae].sum())
    if want <= 0:
        return none, none
    idx = np.arange(len(course))
    donors = np.flatnonzero(np.isin(course, ["on_treatment", "lost"]) & late_pd
                            & ~np.isin(idx, ne_lost))
    donors = donors[np.argsort(-p_lat[donors], kind="stable")]
    takers = ae[~late_pd[ae] & (p_lat[ae] >= 250) & ~np.isin(ae, pd_first)]
    takers = takers[np.argsort(-p_lat[takers], kind="stable")]
    m = min(want, len(donors), len(takers))
    donors, takers = donors[:m], takers[:m]
    course[takers], course[donors] = course[donors], "ae_stop"
    for d, t in zip(donors.tolist(), takers.tolist(), strict=True):
        if t in alive_pd:
            alive_pd.discard(t)
            alive_pd.add(d)
    return donors, takers


def _one_course(rng, i, course,  # noqa: C901 - one branch per course
                t, p, ne_dead, ne_lost, alive_pd, pd_first, resp, shortest) -> Course:
    t, p = float(t), float(p)
    day0 = cal.SHORTEST_COURSE_DAYS  # earliest last dose (and last observation) of anyone
    if ne_dead:
        d = day0 if shortest else int(rng.integers(day0 + 1, 41))
        eot = day0 if shortest else max(d - int(rng.integers(1, 10)), day0)
        return Course("pd_stop", True, d, d, None, [], "NE", None, eot, "death")
    if ne_lost:
        c = int(rng.integers(day0 + 3, 41))
        return Course("lost", False, None, c, None, [], "NE", None, c - 3, "lost to follow-up")
    if course == "on_treatment":
        top = max(_MIN_FOLLOW_UP + 1, min(p, cal.ON_TREATMENT_MAX_DAYS))
        f = int(_MIN_FOLLOW_UP + (top - _MIN_FOLLOW_UP) * rng.uniform() ** cal.FOLLOW_UP_SKEW)
        scans = _scan_days(rng, f - 1)
        return _with_response(rng, Course("on_treatment", False, None, f, None, scans, "SD",
                                          None, None, None, f), resp)
    if course == "lost":
        c = int(max(75, min(p, _PFS_LIMIT) * rng.uniform(*cal.LOST_FRACTION)))
        scans = _scan_days(rng, c - 5)
        return _with_response(rng, Course("lost", False, None, c, None, scans, "SD", None,
                                          c - int(rng.integers(3, 15)), "lost to follow-up"),
                              resp)
    # a PFS event: progression at a scan or death first. Progression past the longest
    # treatment is observed after a stop for intolerance (up to _AE_PFS_LIMIT); past the
    # limit only when there were more such patients than censored and intolerance courses
    # (other seeds or sizes): spread over the end of the window rather than onto one day
    limit = _AE_PFS_LIMIT if course == "ae_stop" else _PFS_LIMIT
    if p <= limit:
        horizon = int(p)
    elif course == "ae_stop":  # after the longest treatment (nobody is treated that long)
        horizon = int(rng.uniform(_PFS_LIMIT, limit))
    else:
        horizon = int(_PFS_LIMIT * rng.uniform(0.5, 1.0))
    scans = _scan_days(rng, 10_000)
    if pd_first:
        k = 0
    else:
        k = max(1, int(np.searchsorted(scans, horizon)))
    death = int(max(t, scans[k] - 20))
    pd_day: int | None = scans[k]
    if death < scans[k] and k >= 1 and not alive_pd:
        pd_day = None  # died before the progression scan: PFS event = death
        scans = scans[:k]
        death = max(death, scans[-1] + 7)
    else:
        scans = scans[: k + 1]
        death = max(death, scans[k] + int(rng.integers(14, 120)))
    if death > _LAST_OBS_DAYS and not alive_pd:
        # more deaths past the limit than survivors to allot (other seeds or sizes): spread
        # them between the last scan and the limit rather than onto one day
        death = int(rng.integers(scans[-1] + 7, max(scans[-1] + 8, _LAST_OBS_DAYS + 1)))
    c = Course(course, not alive_pd, None if alive_pd else death, death, pd_day, scans,
               "PD" if pd_first else "SD")
    if alive_pd and death > _LAST_OBS_DAYS:  # a long survivor, followed up to the cut-off
        c.last_alive_day = int(scans[-1] + rng.uniform(*cal.LONG_SURVIVOR_CONTACT)
                               * max(_LAST_OBS_DAYS - scans[-1], 30))
        c.at_cutoff = c.last_alive_day >= _MIN_FOLLOW_UP
    elif alive_pd:
        c.last_alive_day = int(scans[-1] + rng.uniform(*cal.ALIVE_PD_CONTACT)
                               * max(death - scans[-1], 30))
    end = pd_day if pd_day is not None else death
    if course == "ae_stop":
        c.eot_day = max(day0, int(min(end, _AE_EOT_BASE) * rng.uniform(0.3, 0.8)))
        c.eot_reason = "adverse event"
    else:
        if pd_day is not None:  # treated until the progression scan shows it
            c.eot_day, c.eot_reason = end + int(rng.integers(*cal.EOT_AROUND_PD_DAYS)), \
                "progression"
        else:
            c.eot_day, c.eot_reason = max(day0, end - int(rng.integers(3, 21))), "death"
        c.eot_day = min(c.eot_day, c.last_alive_day)
    return _with_response(rng, c, resp and not pd_first)


def _with_response(rng, c: Course, resp: bool) -> Course:
    last_ok = len(c.scans) - (1 if c.pd_day is not None else 0)
    if resp and last_ok >= 1:
        r = 0 if (last_ok == 1 or rng.uniform() < 0.9) else 1
        c.bor, c.response_scan = "PR", r
    elif c.pd_day is not None and last_ok == 0:
        c.bor = "PD"
    elif last_ok >= 1:
        c.bor = "SD"
    else:
        c.bor = "NE"
    return c


# --------------------------------------------------------------------------------------------
# lesions

_TARGET_SITES = (  # site, nodal, baseline range (mm), weight
    ("oesophagus", False, (18, 55), 4.0),
    ("lymph node", True, (15, 35), 4.0),
    ("liver", False, (12, 50), 2.5),
    ("lung", False, (10, 32), 2.5),
    ("adrenal gland", False, (12, 30), 0.8),
)
_NON_TARGET_SITES = (("bone", False), ("pleura", False), ("lymph node", True), ("lung", False))
_NEW_SITES = ("liver", "lung", "bone", "lymph node", "adrenal gland", "brain")
_N_TARGETS = ((1, 2, 3, 4, 5), (0.22, 0.33, 0.25, 0.13, 0.07))


def _fractions(rng: np.random.Generator, c: Course) -> tuple[list[float], str | None]:
    """Target-sum fraction of baseline at each scan, and how PD shows (target/new/non-target).

    Margins keep every category away from the RECIST cut-offs: PR at <= -35 % (cut-off -30 %),
    SD within -22 %..+12 % and never more than +12 % over the nadir, PD at >= +30 % over the
    nadir (cut-off +20 %) with an absolute growth checked later.
    """
    n = len(c.scans)
    is_pd = c.pd_day is not None
    n_ok = n - (1 if is_pd else 0)
    f: list[float] = []
    nadir = 1.0
    for k in range(n_ok):
        if c.response_scan is not None and k >= c.response_scan:
            v = rng.uniform(0.35, 0.62) if k == c.response_scan else nadir * rng.uniform(0.9, 1.1)
            v = min(v, 0.62, nadir * 1.1)
        elif c.response_scan is not None:
            v = rng.uniform(0.8, 0.95)
        else:
            prev = f[-1] if f else rng.uniform(0.9, 1.12)
            v = prev * rng.uniform(0.95, 1.04) if f else prev
            v = float(np.clip(v, 0.78, min(1.12, nadir * 1.12)))
        f.append(float(v))
        nadir = min(nadir, v)
    how = None
    if is_pd:
        how = rng.choice(["target", "new", "non-target"], p=[0.6, 0.3, 0.1])
        if how == "target":
            f.append(float(nadir * rng.uniform(1.3, 1.6)))
        else:
            v = nadir * rng.uniform(0.97, 1.05)  # targets stable; progression shows elsewhere
            f.append(float(min(v, 0.62) if nadir <= 0.62 else v))
    return f, how


def draw_lesions(rng: np.random.Generator, c: Course) -> list[tuple]:
    """Rows ``(day, lesion_id, lesion_type, site, nodal, diameter, non_target_status)``."""
    k = int(rng.choice(_N_TARGETS[0], p=_N_TARGETS[1]))
    w = np.array([s[3] for s in _TARGET_SITES])
    picks = rng.choice(len(_TARGET_SITES), size=k, replace=True, p=w / w.sum())
    picks[0] = 0 if rng.uniform() < 0.7 else picks[0]
    base = np.array([rng.uniform(*_TARGET_SITES[j][2]) for j in picks]).round(1)
    n_nt = int(rng.choice([0, 1, 2, 3], p=[0.3, 0.35, 0.25, 0.1]))
    nts = [_NON_TARGET_SITES[j] for j in rng.choice(len(_NON_TARGET_SITES), size=n_nt)]
    fr, how = _fractions(rng, c)
    if how == "target":
        nadir = min([1.0, *fr[:-1]])
        if base.sum() * (fr[-1] - nadir) < 7:
            how = "new"  # too small to grow 5 mm: progression shows as a new lesion instead
            fr[-1] = nadir * 1.05
    if how == "non-target" and n_nt == 0:
        how = "new"
    baseline_day = -int(rng.integers(1, 29))
    rows: list[tuple] = []
    for day, frac in [(baseline_day, 1.0), *zip(c.scans, fr, strict=True)]:
        jitter = rng.uniform(0.97, 1.03, size=k) if day > 0 else np.ones(k)
        d = base * frac * jitter
        d = d * (base.sum() * frac / d.sum())  # keep the sum on its fraction exactly
        d = np.maximum(d.round(1), 0.0)
        for j in range(k):
            site, nodal = _TARGET_SITES[picks[j]][:2]
            rows.append((day, f"T{j + 1}", "TARGET", site, nodal, float(d[j]), None))
        last = c.pd_day is not None and day == c.scans[-1]
        for j, (site, nodal) in enumerate(nts):
            status = "UNEQUIVOCAL PROGRESSION" if (last and how == "non-target" and j == 0) \
                else "PRESENT"
            rows.append((day, f"NT{j + 1}", "NON-TARGET", site, nodal, None, status))
        if last and how == "new":
            for j in range(int(rng.integers(1, 3))):
                site = str(rng.choice(_NEW_SITES))
                rows.append((day, f"N{j + 1}", "NEW", site, site == "lymph node", None, None))
    return rows
