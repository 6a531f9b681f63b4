"""Whole-frame (vectorised) core of :func:`oncocohort.derive.recist.derive_visit_response`.

The lesion rows are sorted once by (subject, visit date); every per-visit quantity is then a
group reduction over contiguous blocks (``np.bincount`` over a visit index, ``np.maximum.reduceat``
over subject blocks) and every rule of RECIST 1.1 a vectorised condition (``np.select``). The
rules themselves are documented in :func:`~oncocohort.derive.recist.derive_visit_response`;
this module only evaluates them for all subjects at once. Nothing here validates input: the
caller has run :func:`~oncocohort.derive.recist.check_lesions` (so a lesion appears at most once
per subject and visit, which the counting below relies on).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncocohort.derive._common import as_ns

__all__: list[str] = []

NOT_APPLICABLE = "NOT APPLICABLE"

# Relative tolerance for the threshold comparisons (-30 %, +20 %): diameters are typed with at
# most 2 decimals, so a true tie (50 -> 60 mm is exactly +20 %) must not be lost to binary
# rounding (50 * 1.2 == 60.00000000000001 in floating point).
_EPS = 1e-9
_NAT = np.iinfo(np.int64).min


def _member(keys: np.ndarray, table: np.ndarray) -> np.ndarray:
    """``keys`` found in the sorted unique int64 array ``table`` (a fast ``np.isin``)."""
    if len(table) == 0:
        return np.zeros(len(keys), dtype=bool)
    pos = np.minimum(np.searchsorted(table, keys), len(table) - 1)
    return table[pos] == keys


def _count(index: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Number of ``True`` of ``mask`` per value of ``index`` (0..n-1)."""
    return np.bincount(index[mask], minlength=n)


def _pct(value: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """100 (value - ref) / ref; NaN when either is NaN or ref is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 100.0 * (value - ref) / ref
    out[np.isnan(value) | np.isnan(ref) | (ref == 0)] = np.nan
    return out


class _Codes:
    """A text column as integer codes (compared once per distinct value, not per row)."""

    def __init__(self, values: pd.Series, order: np.ndarray):
        codes, self.uniques = pd.factorize(values)
        self.codes = codes[order]

    def eq(self, label: str) -> np.ndarray:
        hit = np.flatnonzero(self.uniques == label)
        return self.codes == (hit[0] if len(hit) else -2)

    def missing(self) -> np.ndarray:
        return self.codes == -1


def _strings(choices: np.ndarray, keep: np.ndarray) -> np.ndarray:
    out = choices.astype(object)
    out[~keep] = None
    return out


def visit_frame(lesions: pd.DataFrame, index_dates: pd.Series | None, o) -> pd.DataFrame:
    """One row per subject and visit date with every column of ``VISIT_COLUMNS``.

    ``lesions`` is the normalised working copy (float ``diameter``, bool ``nodal``, object
    ``non_target_status`` with ``None`` for missing); ``index_dates`` maps subject -> index
    date (``None``: the first visit is every subject's baseline).
    """
    subj_all, subjects = pd.factorize(lesions["subject_id"], sort=True)
    date_all = as_ns(lesions["visit_date"].to_numpy())
    order = np.lexsort((date_all, subj_all))  # stable: rows keep their order within a visit
    s, d = subj_all[order], date_all[order]
    n = len(s)
    new_visit = np.ones(n, dtype=bool)
    new_visit[1:] = (s[1:] != s[:-1]) | (d[1:] != d[:-1])
    vid = np.cumsum(new_visit) - 1                      # visit number of each sorted row
    first_row = np.flatnonzero(new_visit)
    nv, ns = len(first_row), len(subjects)
    v_subj, v_date = s[first_row], d[first_row]
    subj_start = np.flatnonzero(np.r_[True, v_subj[1:] != v_subj[:-1]])

    # Baseline: the last visit on or before the index date, else the subject's first visit.
    if index_dates is not None:
        idx = as_ns(pd.Series(np.asarray(subjects, dtype=object)).map(index_dates).to_numpy())
    else:
        idx = np.full(ns, _NAT, dtype=np.int64)
    idx_v = idx[v_subj]
    on_or_before = (idx_v != _NAT) & (v_date <= idx_v)
    last_before = np.maximum.reduceat(np.where(on_or_before, np.arange(nv), -1), subj_start)
    base = np.where(last_before >= 0, last_before, subj_start)   # visit number, per subject
    rel = np.arange(nv) - base[v_subj]                          # <0 before, 0 at, >0 after

    # Lesion attributes in sorted order; (subject, lesion) keys for the baseline lesion sets.
    typ = _Codes(lesions["lesion_type"], order)
    status = _Codes(lesions["non_target_status"], order)
    diam = lesions["diameter"].to_numpy(dtype="float64")[order]
    nodal = lesions["nodal"].to_numpy(dtype=bool)[order]
    lid, lids = pd.factorize(lesions["lesion_id"], use_na_sentinel=False)
    key = s.astype(np.int64) * max(len(lids), 1) + lid[order]
    at_base = vid == base[s]
    is_t, is_nt, is_new = typ.eq("TARGET"), typ.eq("NON-TARGET"), typ.eq("NEW")

    # Targets: the TARGET lesions of the baseline visit, measured when a diameter is present.
    base_t = at_base & is_t
    expected = np.bincount(s[base_t], minlength=ns)[v_subj]
    in_expected = _member(key, np.unique(key[base_t]))
    nodal_target = _member(key, np.unique(key[base_t & nodal]))
    measured = is_t & in_expected & ~np.isnan(diam)
    assessed = _count(vid, measured, nv)
    total = np.bincount(vid[measured], weights=diam[measured], minlength=nv).astype("float64")
    total[assessed == 0] = np.nan
    zero = (diam == 0) | (nodal_target & (diam < o.nodal_cr_mm))
    cr = _count(vid, measured & ~zero, nv) == 0
    complete = (assessed == expected) & (expected > 0)
    base_sum = np.where(complete[base], total[base], np.nan)[v_subj]

    # Nadir: smallest complete sum from the baseline up to the previous visit.
    running = np.where(complete & (rel >= 0), total, np.inf)
    running = pd.Series(running).groupby(v_subj).cummin().to_numpy()
    nadir = np.full(nv, np.nan)
    after = rel > 0
    nadir[after] = running[np.flatnonzero(after) - 1]
    nadir[np.isinf(nadir)] = np.nan

    grown = total - nadir
    with np.errstate(invalid="ignore"):
        shows_pd = (~np.isnan(total) & ~np.isnan(nadir)
                    & (grown * 100 >= o.pd_increase_pct * nadir - _EPS * np.maximum(nadir, 1.0))
                    & (grown >= o.pd_increase_mm - _EPS))
        shows_pr = ((total - base_sum) * 100
                    <= -o.pr_decrease_pct * base_sum + _EPS * np.maximum(base_sum, 1.0))
    target = np.select(
        [expected == 0, complete & cr, shows_pd, ~complete | np.isnan(base_sum), shows_pr],
        [NOT_APPLICABLE, "CR", "PD", "NE", "PR"], "SD").astype(object)

    # Non-targets: PD on any unequivocal progression; the baseline set otherwise.
    base_nt = at_base & is_nt
    nt_expected = np.bincount(s[base_nt], minlength=ns)[v_subj]
    nt_in = is_nt & _member(key, np.unique(key[base_nt]))
    progression = _count(vid, is_nt & status.eq("UNEQUIVOCAL PROGRESSION"), nv) > 0
    unknown = _count(vid, nt_in & (status.missing() | status.eq("NE")), nv) > 0
    absent = status.eq("ABSENT") | (nodal & (diam < o.nodal_cr_mm))
    present = _count(vid, nt_in & ~absent, nv) > 0
    non_target = np.select(
        [nt_expected == 0, progression, (_count(vid, nt_in, nv) != nt_expected) | unknown,
         ~present],
        [NOT_APPLICABLE, "PD", "NE", "CR"], "NON-CR/NON-PD").astype(object)

    new = _count(vid, is_new & ~status.eq("ABSENT"), nv) > 0

    # Overall: Table 1 (targets), Table 2 (non-targets only), NE with neither.
    t_na, nt_na = target == NOT_APPLICABLE, non_target == NOT_APPLICABLE
    overall = np.select(
        [new | (target == "PD") | (non_target == "PD"), t_na & nt_na,
         t_na & (non_target == "CR"), t_na & (non_target == "NON-CR/NON-PD"), t_na,
         (target == "CR") & ((non_target == "CR") | nt_na), target == "CR"],
        ["PD", "NE", "CR", "NON-CR/NON-PD", "NE", "CR", "PR"], target).astype(object)

    new_lesion = new.astype(object)
    new_lesion[~after] = None
    return pd.DataFrame({
        "subject_id": pd.Series(np.asarray(subjects, dtype=object)[v_subj], dtype=object),
        "visit_date": v_date.view("datetime64[ns]"),
        "baseline": rel == 0,
        "targets_expected": expected.astype(np.int64),
        "targets_assessed": assessed.astype(np.int64),
        "target_sum": total,
        "baseline_sum": np.where(rel >= 0, base_sum, np.nan),
        "pct_change_baseline": np.where(rel >= 0, _pct(total, base_sum), np.nan),
        "nadir": nadir,
        "pct_change_nadir": np.where(after, _pct(total, nadir), np.nan),
        "target_response": pd.Series(_strings(target, after), dtype=object),
        "non_target_response": pd.Series(_strings(non_target, after), dtype=object),
        "new_lesion": pd.Series(new_lesion, dtype=object),
        "overall_response": pd.Series(_strings(overall, after), dtype=object),
    })
