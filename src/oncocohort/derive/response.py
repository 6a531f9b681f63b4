"""Best overall response (RECIST 1.1 section 4.4): unconfirmed and confirmed, flags and dates.

From the visit-level overall responses (:func:`oncocohort.derive.recist.derive_overall_records`)
one row per subject is derived: the best overall response (BOR), the confirmed BOR (CBOR),
response / disease-control / clinical-benefit flags, and the dates the time-to-event endpoints
consume (``first_pd_date``, ``last_adequate_assessment_date``, ``first_response_date``).

The rules follow admiralonco (``derive_param_bor``, ``derive_param_confirmed_bor``,
``derive_param_confirmed_resp`` and the ``ad_adrs.R`` template) so that results can be checked
against pharmaverse's ``adrs_onco``; every deliberate difference is an option of
:class:`~oncocohort.derive.recist.ResponseOptions` with the admiralonco behaviour available.

References
----------
Eisenhauer EA et al. RECIST 1.1. Eur J Cancer 2009;45:228-247, sections 4.4 (best overall
response), 4.6 (confirmation). admiralonco: https://pharmaverse.github.io/admiralonco/
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncocohort.derive.recist import ResponseOptions, check_responses
from oncocohort.problems import InputError, Problem

__all__ = [
    "ResponseOptions",
    "BEST_RESPONSE_COLUMNS",
    "NE_REASONS",
    "new_therapy_dates",
    "derive_best_response",
]

#: Columns of :func:`derive_best_response`, in order.
BEST_RESPONSE_COLUMNS: tuple[str, ...] = (
    "subject_id", "reference_date", "bor", "bor_date", "bor_ne_reason",
    "cbor", "cbor_date", "cbor_ne_reason", "best_response", "ne_reason",
    "responder", "confirmed_responder", "objective_response",
    "disease_control", "confirmed_disease_control",
    "clinical_benefit", "confirmed_clinical_benefit",
    "first_response_date", "confirmed_first_response_date", "time_to_response_days",
    "first_pd_date", "last_adequate_assessment_date", "last_assessment_date",
    "n_assessments", "best_pct_change", "nadir_sum", "new_therapy_date",
)

NO_ASSESSMENT = "no post-baseline assessment"
SD_TOO_EARLY = "SD too early"
ONLY_NE = "only NE"
NE_REASONS: tuple[str, ...] = (NO_ASSESSMENT, SD_TOO_EARLY, ONLY_NE)

_PRIORITY = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")
_RESPONSE = ("CR", "PR")
_CONTROL = ("CR", "PR", "SD", "NON-CR/NON-PD")


def new_therapy_dates(therapy_lines: pd.DataFrame | None) -> dict:
    """Start of the first new anticancer therapy per subject.

    The earliest ``start_date`` among ``therapy_lines`` rows with ``setting == "subsequent"``;
    subjects without such a dated row are absent from the result.
    """
    if therapy_lines is None or len(therapy_lines) == 0:
        return {}
    sub = therapy_lines[(therapy_lines["setting"] == "subsequent")
                        & therapy_lines["start_date"].notna()]
    return sub.groupby("subject_id")["start_date"].min().to_dict()


def _worst_per_date(rec: pd.DataFrame, o: ResponseOptions) -> pd.DataFrame:
    """Keep one record per date: the latest in ``o.worst_order`` (admiralonco: PD wins)."""
    rank = {code: k for k, code in enumerate(o.worst_order)}
    rec = rec.assign(_rank=rec["response"].map(rank))
    rec = rec.sort_values(["assessment_date", "_rank"], kind="stable")
    return rec.drop_duplicates("assessment_date", keep="last").drop(columns="_rank")


def _up_to_first_pd(rec: pd.DataFrame) -> pd.DataFrame:
    pd_pos = np.flatnonzero((rec["response"] == "PD").to_numpy())
    return rec if len(pd_pos) == 0 else rec.iloc[: pd_pos[0] + 1]


def _late(dates: pd.Series, ref: pd.Timestamp, days: int) -> np.ndarray:
    return (dates >= ref + pd.Timedelta(days=days)).to_numpy()


def _confirmed(resp: list[str], dates: list[pd.Timestamp], i: int,
               o: ResponseOptions) -> bool:
    """Whether the CR/PR at position ``i`` is confirmed (admiralonco's rules).

    The confirmatory assessment is the first later CR (for a CR) or CR/PR (for a PR) at
    ``>= confirmation_days`` after. Between the two (the confirmatory one included) all
    assessments must be CR/NE (for a CR) or CR/PR/NE, plus SD when ``accept_sd_between`` (at
    most one), for a PR; at most ``max_ne_between`` NE; and no PR after a CR.
    """
    r = resp[i]
    ok_confirm = ("CR",) if r == "CR" else _RESPONSE
    limit = dates[i] + pd.Timedelta(days=o.confirmation_days)
    j = next((k for k in range(i + 1, len(resp))
              if resp[k] in ok_confirm and dates[k] >= limit), None)
    if j is None:
        return False
    window = resp[i + 1: j + 1]
    allowed = ("CR", "NE") if r == "CR" else ("CR", "PR", "SD", "NE")
    if any(w not in allowed for w in window) or window.count("NE") > o.max_ne_between:
        return False
    if window.count("SD") > (1 if o.accept_sd_between else 0):
        return False
    first_cr = next((k for k, w in enumerate(window) if w == "CR"), None)
    return not (first_cr is not None and "PR" in window[first_cr:])


def _best(candidates: list[str], dates: list[pd.Timestamp]) -> tuple[str, pd.Timestamp]:
    """Best candidate in the order CR > PR > SD > NON-CR/NON-PD > PD > NE; its first date."""
    best = min(candidates, key=_PRIORITY.index)
    return best, dates[candidates.index(best)]


def _ne_reason(best: str, early: np.ndarray) -> str | None:
    if best != "NE":
        return None
    return SD_TOO_EARLY if early.any() else ONLY_NE


def _bor(rec: pd.DataFrame, late: np.ndarray) -> tuple[str, pd.Timestamp, str | None]:
    """Unconfirmed BOR: CR/PR/PD any time; SD and NON-CR/NON-PD only when late, else NE."""
    resp = rec["response"].tolist()
    sd_like = np.isin(resp, ("SD", "NON-CR/NON-PD"))
    cand = [r if (not s or lt) else "NE" for r, s, lt in zip(resp, sd_like, late, strict=True)]
    best, date = _best(cand, rec["assessment_date"].tolist())
    return best, date, _ne_reason(best, sd_like & ~late)


def _cbor(rec: pd.DataFrame, late: np.ndarray, o: ResponseOptions):
    """Confirmed BOR; an unconfirmed CR/PR is SD when late, else NE (admiralonco)."""
    resp = rec["response"].tolist()
    dates = rec["assessment_date"].tolist()
    conf = [r in _RESPONSE and _confirmed(resp, dates, i, o) for i, r in enumerate(resp)]
    cand = []
    for r, c, lt in zip(resp, conf, late, strict=True):
        if c:
            cand.append(r)
        elif r in ("CR", "PR", "SD"):
            cand.append("SD" if lt else "NE")
        elif r == "NON-CR/NON-PD":
            cand.append(r if lt else "NE")
        else:
            cand.append(r)
    best, date = _best(cand, dates)
    early = np.isin(resp, _CONTROL) & ~late & ~np.asarray(conf, dtype=bool)
    first_conf = next((d for d, c in zip(dates, conf, strict=True) if c), pd.NaT)
    return best, date, _ne_reason(best, early), first_conf


def _yn(flag: bool) -> str:
    return "Y" if flag else "N"


def _days(start: pd.Timestamp, end: pd.Timestamp, o: ResponseOptions) -> float:
    if pd.isna(start) or pd.isna(end):
        return np.nan
    return float((end - start).days + (1 if o.day_count == "admiral" else 0))


def _tumour_size(visits: pd.DataFrame | None, sid, ref, last_date) -> tuple[float, float]:
    """Best (most negative) % change and nadir of complete target sums, up to ``last_date``."""
    if visits is None:
        return np.nan, np.nan
    v = visits[(visits["subject_id"] == sid)
               & (visits["targets_assessed"] == visits["targets_expected"])
               & (visits["targets_expected"] > 0)]
    if not pd.isna(last_date):
        v = v[v["visit_date"] <= last_date]
    post = v[(~v["baseline"].astype(bool)) & (v["visit_date"] >= ref)]
    base = v[v["baseline"].astype(bool)]
    best = float(post["pct_change_baseline"].min()) if len(post) else np.nan
    sums = pd.concat([base["target_sum"], post["target_sum"]])
    return best, float(sums.min()) if len(sums) else np.nan


def _empty_row(sid, ref, o: ResponseOptions) -> dict:
    code = o.no_assessment
    return {"subject_id": sid, "reference_date": ref, "bor": code, "bor_date": pd.NaT,
            "bor_ne_reason": NO_ASSESSMENT, "cbor": code, "cbor_date": pd.NaT,
            "cbor_ne_reason": NO_ASSESSMENT, "first_response_date": pd.NaT,
            "confirmed_first_response_date": pd.NaT, "first_pd_date": pd.NaT,
            "last_adequate_assessment_date": pd.NaT, "last_assessment_date": pd.NaT,
            "n_assessments": 0, "cb_late": False}


def _subject_row(sid, ref, rec: pd.DataFrame, o: ResponseOptions) -> dict:
    """All response variables of one subject from its post-index, pre-new-therapy records."""
    if len(rec) == 0:
        return _empty_row(sid, ref, o)
    last_any = rec["assessment_date"].max()
    rec = _up_to_first_pd(rec)
    late = _late(rec["assessment_date"], ref, o.sd_min_days)
    bor, bor_date, bor_reason = _bor(rec, late)
    cbor, cbor_date, cbor_reason, first_conf = _cbor(rec, late, o)
    resp = rec["response"]
    dates = rec["assessment_date"]
    cb_days = o.sd_min_days if o.clinical_benefit_days is None else o.clinical_benefit_days
    cb_late = bool((resp.isin(_CONTROL).to_numpy() & _late(dates, ref, cb_days)).any())
    adequate = dates[resp != "NE"]
    return {
        "subject_id": sid, "reference_date": ref, "bor": bor, "bor_date": bor_date,
        "bor_ne_reason": bor_reason, "cbor": cbor, "cbor_date": cbor_date,
        "cbor_ne_reason": cbor_reason,
        "first_response_date": dates[resp.isin(_RESPONSE)].min(),
        "confirmed_first_response_date": first_conf,
        "first_pd_date": dates[resp == "PD"].min(),
        "last_adequate_assessment_date": adequate.max() if len(adequate) else pd.NaT,
        "last_assessment_date": last_any, "n_assessments": len(rec), "cb_late": cb_late,
    }


def _add_flags(row: dict, o: ResponseOptions) -> dict:
    rsp = row["bor"] in _RESPONSE
    crsp = row["cbor"] in _RESPONSE
    row["responder"] = _yn(rsp)
    row["confirmed_responder"] = _yn(crsp)
    row["disease_control"] = _yn(row["bor"] in _CONTROL)
    row["confirmed_disease_control"] = _yn(row["cbor"] in _CONTROL)
    late = row.pop("cb_late")
    row["clinical_benefit"] = _yn(rsp or late)
    row["confirmed_clinical_benefit"] = _yn(crsp or late)
    if o.confirmation:
        row["best_response"], row["ne_reason"] = row["cbor"], row["cbor_ne_reason"]
        row["objective_response"], first = row["confirmed_responder"], \
            row["confirmed_first_response_date"]
    else:
        row["best_response"], row["ne_reason"] = row["bor"], row["bor_ne_reason"]
        row["objective_response"], first = row["responder"], row["first_response_date"]
    row["time_to_response_days"] = _days(row["reference_date"], first, o)
    return row


def _check_inputs(overall: pd.DataFrame, patients: pd.DataFrame, o: ResponseOptions) -> None:
    check_responses(overall, table="overall responses")
    problems = []
    if o.reference not in patients.columns:
        raise InputError([Problem("error", f"reference date column {o.reference!r} is missing",
                                  column=o.reference, location="patients",
                                  code="missing_column")])
    for sid in patients.loc[patients[o.reference].isna(), "subject_id"]:
        problems.append(Problem("error", "reference date is missing", column=o.reference,
                                location="patients", subject=str(sid), code="missing_value"))
    for sid in sorted(set(patients.loc[patients["subject_id"].duplicated(), "subject_id"])):
        problems.append(Problem("error", "subject listed more than once", column="subject_id",
                                location="patients", subject=str(sid), code="duplicate"))
    unknown = sorted(set(overall["subject_id"]) - set(patients["subject_id"]))
    for sid in unknown:
        problems.append(Problem("error", "assessments for a subject not in patients",
                                location="overall responses", subject=str(sid),
                                code="unknown_subject"))
    if problems:
        raise InputError(problems)


def derive_best_response(overall: pd.DataFrame, patients: pd.DataFrame,
                         therapy_lines: pd.DataFrame | None = None, *,
                         visits: pd.DataFrame | None = None,
                         options: ResponseOptions | None = None) -> pd.DataFrame:
    """Derive best overall response, confirmation, response flags and dates per subject.

    Parameters
    ----------
    overall
        Visit-level overall responses: ``subject_id``, ``assessment_date``, ``response``
        (from :func:`~oncocohort.derive.recist.derive_overall_records`, or the canonical
        ``responses`` table).
    patients
        Canonical ``patients``; every subject gets one row; ``options.reference`` (default
        ``index_date``) is the reference date.
    therapy_lines
        Canonical ``therapy_lines``; ``subsequent`` rows date a new anticancer therapy.
    visits
        Optional output of :func:`~oncocohort.derive.recist.derive_visit_response`, for
        ``best_pct_change`` and ``nadir_sum``.
    options
        :class:`~oncocohort.derive.recist.ResponseOptions`.

    Returns
    -------
    pandas.DataFrame
        One row per subject of ``patients``, columns :data:`BEST_RESPONSE_COLUMNS`.
        Records used: on or after the reference date; on or before the new-therapy start when
        ``stop_at_new_therapy``; the worst per date (``worst_order``); up to and including the
        first PD. SD and NON-CR/NON-PD count only at ``>= reference + sd_min_days``.

        - ``bor``: best of CR > PR > SD > NON-CR/NON-PD > PD > NE, where an early SD or
          NON-CR/NON-PD is NE; ``bor_date`` is the first date it is reached.
        - ``cbor``: as ``bor`` with confirmed CR/PR only (see :func:`_confirmed`); an
          unconfirmed CR/PR counts as SD when late, else NE (admiralonco).
        - ``*_ne_reason``: ``"no post-baseline assessment"``, ``"SD too early"`` (an SD-type
          assessment, or an unconfirmed early CR/PR for ``cbor``, before ``sd_min_days``) or
          ``"only NE"``; empty when the response is not NE. Without any record the BOR is
          ``options.no_assessment`` (``"NE"``, or ``"MISSING"`` as admiralonco).
        - ``best_response`` / ``ne_reason`` / ``objective_response``: the ``cbor`` versions when
          ``options.confirmation``, else the ``bor`` versions: what the analyses use.
        - ``responder`` / ``confirmed_responder``: ``Y`` when BOR / CBOR is CR or PR.
        - ``disease_control`` / ``confirmed_...``: ``Y`` when BOR / CBOR is CR, PR, SD or
          NON-CR/NON-PD.
        - ``clinical_benefit`` / ``confirmed_...``: responder, or a CR/PR/SD/NON-CR/NON-PD at
          ``>= clinical_benefit_days`` (default ``sd_min_days``: admiralonco CB / CCB).
        - ``first_response_date``: first CR/PR; ``confirmed_first_response_date``: first
          confirmed CR/PR (the confirmed assessment, not the confirming one).
        - ``time_to_response_days``: reference to the first (confirmed, when
          ``confirmation``) response, counted per ``day_count``.
        - ``first_pd_date``; ``last_adequate_assessment_date``: last non-NE assessment up to and
          including the first PD; ``last_assessment_date``: last assessment of any response
          (also after PD, as admiralonco's LSTA); ``n_assessments``: assessment dates used
          (up to the first PD).
        - ``best_pct_change``: most negative % change from baseline of complete target sums at
          post-baseline visits up to the first PD (for the waterfall plot); ``nadir_sum``:
          smallest complete sum over the same visits and the baseline.
        - ``new_therapy_date``: start of the first subsequent therapy on or after the reference
          date (NaT if none; a "subsequent" line dated before the reference date is ignored).
    """
    o = options or ResponseOptions()
    _check_inputs(overall, patients, o)
    new_tx = new_therapy_dates(therapy_lines)
    by_subject = {sid: g for sid, g in overall.groupby("subject_id", sort=False)}
    rows = []
    for sid, ref in zip(patients["subject_id"], patients[o.reference], strict=True):
        ref = pd.Timestamp(ref)
        rec = by_subject.get(sid, overall.iloc[0:0])
        rec = rec[rec["assessment_date"] >= ref]
        nt = new_tx.get(sid, pd.NaT)
        if not pd.isna(nt) and nt < ref:  # a "subsequent" line dated before the index: ignored
            nt = pd.NaT
        if o.stop_at_new_therapy and not pd.isna(nt):
            rec = rec[rec["assessment_date"] <= nt]
        rec = _worst_per_date(rec[rec["response"].notna()], o)
        row = _add_flags(_subject_row(sid, ref, rec.reset_index(drop=True), o), o)
        end = row["first_pd_date"]
        if pd.isna(end) and o.stop_at_new_therapy:
            end = nt
        row["best_pct_change"], row["nadir_sum"] = _tumour_size(visits, sid, ref, end)
        row["new_therapy_date"] = nt
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(BEST_RESPONSE_COLUMNS))
    for c in (c for c in out.columns if c.endswith("_date")):
        out[c] = pd.to_datetime(out[c])
    out["n_assessments"] = out["n_assessments"].astype("int64")
    return out
