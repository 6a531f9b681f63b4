"""Whole-frame (vectorised) core of :func:`oncocohort.derive.response.derive_best_response`.

Records are coded once (``CR=0 < PR < SD < NON-CR/NON-PD < PD < NE=5``, the order of
preference of the best response), sorted by (patient, date), and every per-subject variable is
a reduction over the contiguous block of each patient (``np.minimum.reduceat`` and friends).
The confirmation of a CR/PR (a forward scan) loops over the offset only, not the records.
The rules are documented in :func:`~oncocohort.derive.response.derive_best_response`; this
module evaluates them for all subjects at once and validates nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncocohort.canon.codes import RESPONSE_CODES
from oncocohort.derive._common import as_ns

__all__: list[str] = []

PRIORITY: tuple[str, ...] = RESPONSE_CODES  # best first: the position is the code
CR, PR, SD, NON_CR_NON_PD, PD, NE = range(6)
DAY_NS = 86_400 * 10**9
NAT = np.iinfo(np.int64).min
_NEVER = np.iinfo(np.int64).max

#: Per-patient values of a patient without records (``-1``: no response code).
_FILLS = {"bor": -1, "bor_date": NAT, "bor_early": False, "cbor": -1, "cbor_date": NAT,
          "cbor_early": False, "confirmed_first_response_date": NAT, "first_response_date": NAT,
          "first_pd_date": NAT, "last_adequate_assessment_date": NAT, "n_assessments": 0,
          "cb_late": False}


def confirmed(code: np.ndarray, date: np.ndarray, block_end: np.ndarray, o) -> np.ndarray:
    """Whether each CR/PR record is confirmed (admiralonco's rules), for all records at once.

    Records are sorted by patient and date; ``block_end[i]`` is the end (exclusive) of record
    ``i``'s patient. The confirmatory assessment is the first later CR (for a CR) or CR/PR
    (for a PR) at ``>= confirmation_days`` after. Between the two (the confirmatory one
    included) all assessments must be CR/NE (for a CR) or CR/PR/NE, plus SD when
    ``accept_sd_between`` (at most one), for a PR; at most ``max_ne_between`` NE; and no PR
    after a CR. The window is scanned one offset at a time for every CR/PR record together.
    """
    out = np.zeros(len(code), dtype=bool)
    cand = np.flatnonzero(code <= PR)
    r, end = code[cand], block_end[cand]
    limit = date[cand] + o.confirmation_days * DAY_NS
    open_ = np.ones(len(cand), dtype=bool)            # confirmatory record not reached yet
    broken = np.zeros(len(cand), dtype=bool)          # a record not allowed in the window
    n_ne = np.zeros(len(cand), dtype=np.int64)
    n_sd = np.zeros(len(cand), dtype=np.int64)
    seen_cr = np.zeros(len(cand), dtype=bool)
    k = 1
    while True:
        active = open_ & (cand + k < end)
        if not active.any():
            return out
        a = np.flatnonzero(active)
        w = code[cand[a] + k]
        n_ne[a] += w == NE
        n_sd[a] += w == SD
        allowed = (w == CR) | (w == NE) | ((r[a] == PR) & ((w == PR) | (w == SD)))
        broken[a] |= ~allowed | (seen_cr[a] & (w == PR))
        seen_cr[a] |= w == CR
        hit = ((w == CR) | ((r[a] == PR) & (w == PR))) & (date[cand[a] + k] >= limit[a])
        h = a[hit]
        open_[h] = False
        out[cand[h]] = (~broken[h] & (n_ne[h] <= o.max_ne_between)
                        & (n_sd[h] <= (1 if o.accept_sd_between else 0)))
        k += 1


def _blocks(group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of each run of equal values of the sorted ``group``."""
    if len(group) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    return starts, np.r_[starts[1:], len(group)]


def _first(values: np.ndarray, mask: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Smallest value where ``mask`` per block (``NAT`` where none)."""
    out = np.minimum.reduceat(np.where(mask, values, _NEVER), starts)
    return np.where(out == _NEVER, NAT, out)


def _last(values: np.ndarray, mask: np.ndarray, starts: np.ndarray) -> np.ndarray:
    return np.maximum.reduceat(np.where(mask, values, NAT), starts)


def _any(mask: np.ndarray, starts: np.ndarray) -> np.ndarray:
    return np.add.reduceat(mask.astype(np.int64), starts) > 0


def used_records(pos: np.ndarray, date: np.ndarray, rank: np.ndarray, code: np.ndarray,
                 keep: np.ndarray) -> tuple[np.ndarray, ...]:
    """Kept records, the worst (highest ``rank``) per patient and date, sorted by date.

    Returns ``(pos, date, code)`` of those records and, separately, ``(pos, date)`` of their
    last date per patient before the cut at the first PD, then the records up to and including
    each patient's first PD.
    """
    pos, date, rank, code = pos[keep], date[keep], rank[keep], code[keep]
    order = np.lexsort((rank, date, pos))            # stable: ties keep their input order
    pos, date, code = pos[order], date[order], code[order]
    last_of_date = np.ones(len(pos), dtype=bool)
    last_of_date[:-1] = (pos[1:] != pos[:-1]) | (date[1:] != date[:-1])
    pos, date, code = pos[last_of_date], date[last_of_date], code[last_of_date]
    starts, ends = _blocks(pos)
    last_any = (pos[starts], date[ends - 1])
    is_pd = (code == PD).astype(np.int64)
    before = np.cumsum(is_pd) - is_pd                 # PDs strictly before, cumulated
    before -= np.repeat(before[starts], ends - starts)
    upto = before == 0
    return pos[upto], date[upto], code[upto], last_any


def subject_summary(pos: np.ndarray, date: np.ndarray, code: np.ndarray, ref: np.ndarray,
                    n_patients: int, o, cb_days: int) -> dict[str, np.ndarray]:
    """Per-patient codes, dates and flags from the used records (see ``used_records``).

    Arrays have one entry per patient; a patient without records has ``bor == -1``.
    """
    if len(pos) == 0:  # no records at all
        return {k: np.full(n_patients, fill) for k, fill in _FILLS.items()}
    starts, ends = _blocks(pos)
    who = pos[starts]
    r = ref[pos]
    late = date >= r + o.sd_min_days * DAY_NS
    sd_like = (code == SD) | (code == NON_CR_NON_PD)
    bor_cand = np.where(sd_like & ~late, NE, code)

    conf = confirmed(code, date, np.repeat(ends, ends - starts), o)
    cbor_cand = np.select(
        [conf, code <= SD, code == NON_CR_NON_PD],
        [code, np.where(late, SD, NE), np.where(late, NON_CR_NON_PD, NE)], code)

    out: dict[str, np.ndarray] = {}
    for name, cand, early in (
            ("bor", bor_cand, sd_like & ~late),
            ("cbor", cbor_cand, (code <= NON_CR_NON_PD) & ~late & ~conf)):
        best = np.minimum.reduceat(cand, starts)
        out[name] = _scatter(n_patients, who, best, -1)
        out[name + "_date"] = _scatter(
            n_patients, who, _first(date, cand == np.repeat(best, ends - starts), starts), NAT)
        out[name + "_early"] = _scatter(n_patients, who, _any(early, starts), False)
    control = code <= NON_CR_NON_PD
    out["confirmed_first_response_date"] = _scatter(n_patients, who,
                                                    _first(date, conf, starts), NAT)
    out["first_response_date"] = _scatter(n_patients, who, _first(date, code <= PR, starts),
                                          NAT)
    out["first_pd_date"] = _scatter(n_patients, who, _first(date, code == PD, starts), NAT)
    out["last_adequate_assessment_date"] = _scatter(n_patients, who,
                                                    _last(date, code != NE, starts), NAT)
    out["n_assessments"] = _scatter(n_patients, who, (ends - starts).astype(np.int64), 0)
    out["cb_late"] = _scatter(
        n_patients, who, _any(control & (date >= r + cb_days * DAY_NS), starts), False)
    return out


def _scatter(n: int, who: np.ndarray, values: np.ndarray, fill) -> np.ndarray:
    out = np.full(n, fill, dtype=values.dtype if len(values) else np.asarray(fill).dtype)
    out[who] = values
    return out


def tumour_size(visits: pd.DataFrame, pids: pd.Index, ref: np.ndarray,
                end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best % change and nadir of complete target sums, per patient, up to ``end`` (NAT: all).

    ``best`` is the most negative ``pct_change_baseline`` of post-baseline visits on or after
    the reference date; ``nadir`` the smallest ``target_sum`` of those visits and the baseline.
    """
    n = len(pids)
    best, nadir = np.full(n, np.nan), np.full(n, np.nan)
    pos = pids.get_indexer(visits["subject_id"])
    complete = ((visits["targets_assessed"] == visits["targets_expected"])
                & (visits["targets_expected"] > 0)).to_numpy(dtype=bool) & (pos >= 0)
    v = visits.loc[complete]
    pos = pos[complete]
    date = as_ns(v["visit_date"].to_numpy())
    e = end[pos]
    in_time = (e == NAT) | (date <= e)
    baseline = v["baseline"].astype(bool).to_numpy()
    post = in_time & ~baseline & (date >= ref[pos])
    pct = v["pct_change_baseline"].to_numpy(dtype="float64")
    total = v["target_sum"].to_numpy(dtype="float64")
    best_s = pd.Series(pct[post]).groupby(pos[post]).min()
    both = post | (in_time & baseline)
    nadir_s = pd.Series(total[both]).groupby(pos[both]).min()
    best[best_s.index.to_numpy()] = best_s.to_numpy()
    nadir[nadir_s.index.to_numpy()] = nadir_s.to_numpy()
    return best, nadir
