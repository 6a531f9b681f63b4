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

from oncocohort.derive import _response_frame as rf
from oncocohort.derive._common import as_ns, require_columns
from oncocohort.derive.recist import ResponseOptions, check_responses
from oncocohort.problems import InputError, Problem

__all__ = [
    "ResponseOptions",
    "BEST_RESPONSE_COLUMNS",
    "NE_REASONS",
    "new_therapy_dates",
    "derive_best_response",
    "derive_recorded_best_response",
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
    "n_assessments", "best_pct_change", "nadir_sum", "new_therapy_date", "pd_new_lesion",
)

NO_ASSESSMENT = "no post-baseline assessment"
SD_TOO_EARLY = "SD too early"
ONLY_NE = "only NE"
RECORDED_NE = "recorded as not evaluable"
NOT_RECORDED = "no best response recorded"
NE_REASONS: tuple[str, ...] = (NO_ASSESSMENT, SD_TOO_EARLY, ONLY_NE, RECORDED_NE, NOT_RECORDED)

_PRIORITY = rf.PRIORITY  # order of preference: CR > PR > SD > NON-CR/NON-PD > PD > NE


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


def _yn(flag: np.ndarray) -> np.ndarray:
    return np.where(flag, "Y", "N").astype(object)


def _position(values: pd.Series, order: tuple[str, ...]) -> np.ndarray:
    """Position of each value in ``order`` (-1 when missing), looked up once per distinct value."""
    codes, uniques = pd.factorize(values)
    table = np.array([order.index(u) if u in order else -1 for u in uniques] + [-1], dtype=np.int64)
    return table[codes]


def _up_to(codes: np.ndarray, last: int) -> np.ndarray:
    """Codes from CR up to ``last`` in the order of preference (``-1``, no record: False)."""
    return (codes >= 0) & (codes <= last)


def _text(codes: np.ndarray, missing: str) -> np.ndarray:
    """Response codes (``-1``: no record) as text."""
    return np.where(codes >= 0, np.asarray(_PRIORITY, dtype=object)[codes], missing)


def _ne_reason(codes: np.ndarray, early: np.ndarray) -> np.ndarray:
    reason = np.where(early, SD_TOO_EARLY, ONLY_NE).astype(object)
    reason[codes != rf.NE] = None
    reason[codes < 0] = NO_ASSESSMENT
    return reason


def _dates(ns: np.ndarray) -> np.ndarray:
    return ns.view("datetime64[ns]")


def _days(start: np.ndarray, end: np.ndarray, o: ResponseOptions) -> np.ndarray:
    days = ((end - start) // rf.DAY_NS + (1 if o.day_count == "admiral" else 0)).astype(float)
    return np.where((start == rf.NAT) | (end == rf.NAT), np.nan, days)


def _pd_new_lesion(best: pd.DataFrame, visits: pd.DataFrame | None) -> np.ndarray:
    """``Y``/``N``: a new lesion at the visit of the first PD; ``""`` without a PD or lesion
    visits."""
    out = np.full(len(best), "", dtype=object)
    if visits is None or not len(visits) or "new_lesion" not in visits:
        return out
    pd_date = as_ns(best["first_pd_date"].to_numpy())
    # (subject, visit date) pairs as integer keys, the visits' first, then the PDs'
    subjects, _ = pd.factorize(np.concatenate([
        visits["subject_id"].astype(str).to_numpy(dtype=object),
        best["subject_id"].astype(str).to_numpy(dtype=object)]))
    dates, _ = pd.factorize(np.concatenate([as_ns(visits["visit_date"].to_numpy()), pd_date]))
    keys = subjects.astype(np.int64) * (int(dates.max()) + 1) + dates
    seen, at_pd = keys[:len(visits)], keys[len(visits):]
    new = visits["new_lesion"].astype("boolean").fillna(False).to_numpy(bool)
    # a PD of the responses table may have no visit
    has_visit = (pd_date != rf.NAT) & np.isin(at_pd, seen)
    out[has_visit] = np.where(np.isin(at_pd[has_visit], seen[new]), "Y", "N")
    return out


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
        - ``cbor``: as ``bor`` with confirmed CR/PR only; an unconfirmed CR/PR counts as SD
          when late, else NE (admiralonco). A CR/PR is confirmed by the first later CR (for a
          CR) or CR/PR (for a PR) at ``>= confirmation_days`` after it; between the two (the
          confirmatory one included) all assessments must be CR/NE (for a CR) or CR/PR/NE,
          plus SD when ``accept_sd_between`` (at most one), for a PR; at most
          ``max_ne_between`` NE; and no PR after a CR.
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
        - ``pd_new_lesion``: ``Y`` when a new lesion was recorded at the first PD's visit
          (RECIST 1.1 section 4.3.4: progression by a new lesion), ``N`` when that visit had
          none, empty without a PD or without ``visits`` (the waterfall plot marks these
          bars).
    """
    o = options or ResponseOptions()
    _check_inputs(overall, patients, o)
    pids = pd.Index(patients["subject_id"])
    n = len(pids)
    ref = as_ns(patients[o.reference].to_numpy())
    new_tx = pd.Series(new_therapy_dates(therapy_lines), dtype=object)
    nt = as_ns(pids.to_series().map(new_tx).to_numpy()) if len(new_tx) else \
        np.full(n, rf.NAT, dtype=np.int64)
    nt = np.where((nt != rf.NAT) & (nt < ref), rf.NAT, nt)  # "subsequent" before the index

    pos = pids.get_indexer(overall["subject_id"])
    date = as_ns(overall["assessment_date"].to_numpy())
    response = overall["response"]
    keep = response.notna().to_numpy() & (date >= ref[pos])
    if o.stop_at_new_therapy:
        keep &= (nt[pos] == rf.NAT) | (date <= nt[pos])
    pos, date, code, (who, last_any) = rf.used_records(
        pos, date, _position(response, o.worst_order), _position(response, _PRIORITY), keep)
    cb_days = o.sd_min_days if o.clinical_benefit_days is None else o.clinical_benefit_days
    s = rf.subject_summary(pos, date, code, ref, n, o, cb_days)

    bor, cbor = _text(s["bor"], o.no_assessment), _text(s["cbor"], o.no_assessment)
    rsp, crsp = _up_to(s["bor"], rf.PR), _up_to(s["cbor"], rf.PR)
    last_assessment = np.full(n, rf.NAT, dtype=np.int64)
    last_assessment[who] = last_any
    out = pd.DataFrame({
        "subject_id": pd.Series(pids.to_numpy(dtype=object), dtype=object),
        "reference_date": _dates(ref),
        "bor": bor, "bor_date": _dates(s["bor_date"]),
        "bor_ne_reason": _ne_reason(s["bor"], s["bor_early"]),
        "cbor": cbor, "cbor_date": _dates(s["cbor_date"]),
        "cbor_ne_reason": _ne_reason(s["cbor"], s["cbor_early"]),
        "responder": _yn(rsp), "confirmed_responder": _yn(crsp),
        "disease_control": _yn(_up_to(s["bor"], rf.NON_CR_NON_PD)),
        "confirmed_disease_control": _yn(_up_to(s["cbor"], rf.NON_CR_NON_PD)),
        "clinical_benefit": _yn(rsp | s["cb_late"]),
        "confirmed_clinical_benefit": _yn(crsp | s["cb_late"]),
        "first_response_date": _dates(s["first_response_date"]),
        "confirmed_first_response_date": _dates(s["confirmed_first_response_date"]),
        "first_pd_date": _dates(s["first_pd_date"]),
        "last_adequate_assessment_date": _dates(s["last_adequate_assessment_date"]),
        "last_assessment_date": _dates(last_assessment),
        "n_assessments": s["n_assessments"].astype("int64"),
        "new_therapy_date": _dates(nt),
    })
    chosen = "cbor" if o.confirmation else "bor"
    out["best_response"] = out[chosen]
    out["ne_reason"] = out[chosen + "_ne_reason"]
    out["objective_response"] = out["confirmed_responder" if o.confirmation else "responder"]
    first = s["confirmed_first_response_date" if o.confirmation else "first_response_date"]
    out["time_to_response_days"] = _days(ref, first, o)
    end = s["first_pd_date"]
    if o.stop_at_new_therapy:
        end = np.where(end == rf.NAT, nt, end)
    if visits is None:
        out["best_pct_change"], out["nadir_sum"] = np.nan, np.nan
    else:
        out["best_pct_change"], out["nadir_sum"] = rf.tumour_size(visits, pids, ref, end)
    out["pd_new_lesion"] = _pd_new_lesion(out, visits)
    return out.loc[:, list(BEST_RESPONSE_COLUMNS)]


def derive_recorded_best_response(patients: pd.DataFrame,
                                  options: ResponseOptions | None = None) -> pd.DataFrame:
    """The best overall response as the investigators recorded it (``patients.best_response``,
    one column of a hospital's sheet), in the shape of :func:`derive_best_response`.

    For a study given no tumour assessments (no ``lesions``, no ``responses``): nothing is
    derived, the recorded code is the analysed one. What a recorded code cannot say stays
    empty: whether it was confirmed, when it was reached, how long it lasted, the change of
    the target lesions (so no waterfall plot, time to response or duration of response).

    Parameters
    ----------
    patients
        Canonical ``patients`` with a ``best_response`` column (RECIST codes after the
        spec's ``values:`` recoding; empty when not recorded).
    options
        :class:`~oncocohort.derive.recist.ResponseOptions`; only ``reference`` is read (the
        ``reference_date`` column; empty when the patients have none).

    Returns
    -------
    pandas.DataFrame
        One row per patient, columns :data:`BEST_RESPONSE_COLUMNS`:

        - ``bor`` / ``best_response``: the recorded code; ``NE`` when none was recorded (an
          intention-to-treat denominator counts the patient as a non-responder);
        - ``bor_ne_reason`` / ``ne_reason``: ``"recorded as not evaluable"`` for a recorded
          NE, ``"no best response recorded"`` for an empty cell; empty otherwise;
        - ``responder`` / ``objective_response`` (CR, PR) and ``disease_control`` (CR, PR, SD,
          NON-CR/NON-PD): ``Y``/``N`` from the recorded code;
        - the confirmed versions (``cbor``, ``confirmed_*``), ``clinical_benefit`` (it needs
          the date of the response), every date, ``time_to_response_days``,
          ``n_assessments``, ``best_pct_change``, ``nadir_sum`` and ``pd_new_lesion``: empty.

    Examples
    --------
    >>> p = pd.DataFrame({"subject_id": ["1", "2", "3"],
    ...                   "index_date": pd.to_datetime(["2024-01-02"] * 3),
    ...                   "best_response": ["PR", None, "NE"]})
    >>> derive_recorded_best_response(p)[["best_response", "ne_reason", "objective_response"]]
      best_response                  ne_reason objective_response
    0            PR                       None                  Y
    1            NE  no best response recorded                  N
    2            NE  recorded as not evaluable                  N
    """
    o = options or ResponseOptions()
    require_columns(patients, ["subject_id", "best_response"], "patients")
    n = len(patients)
    recorded = patients["best_response"].astype(object)
    given = recorded.notna().to_numpy()
    bor = np.where(given, recorded.to_numpy(dtype=object), "NE").astype(object)
    unknown = sorted(set(bor) - set(_PRIORITY))
    if unknown:
        raise ValueError(f"unknown best overall response codes: {', '.join(unknown)}")
    reason = np.full(n, None, dtype=object)
    reason[given & (bor == "NE")] = RECORDED_NE
    reason[~given] = NOT_RECORDED
    code = _position(pd.Series(bor), _PRIORITY)
    reference = (pd.to_datetime(patients[o.reference]).to_numpy(dtype="datetime64[ns]")
                 if o.reference in patients.columns else np.full(n, np.datetime64("NaT", "ns")))
    no_date = np.full(n, np.datetime64("NaT", "ns"))
    empty = np.full(n, None, dtype=object)
    out = pd.DataFrame({
        "subject_id": pd.Series(patients["subject_id"].to_numpy(dtype=object), dtype=object),
        "reference_date": reference,
        "bor": bor, "bor_date": no_date, "bor_ne_reason": reason,
        "cbor": empty, "cbor_date": no_date, "cbor_ne_reason": empty,
        "best_response": bor, "ne_reason": reason,
        "responder": _yn(_up_to(code, rf.PR)), "confirmed_responder": empty,
        "objective_response": _yn(_up_to(code, rf.PR)),
        "disease_control": _yn(_up_to(code, rf.NON_CR_NON_PD)),
        "confirmed_disease_control": empty,
        "clinical_benefit": empty, "confirmed_clinical_benefit": empty,
        "first_response_date": no_date, "confirmed_first_response_date": no_date,
        "time_to_response_days": np.full(n, np.nan),
        "first_pd_date": no_date, "last_adequate_assessment_date": no_date,
        "last_assessment_date": no_date,
        "n_assessments": pd.array([pd.NA] * n, dtype="Int64"),
        "best_pct_change": np.full(n, np.nan), "nadir_sum": np.full(n, np.nan),
        "new_therapy_date": no_date, "pd_new_lesion": np.full(n, "", dtype=object),
    })
    return out.loc[:, list(BEST_RESPONSE_COLUMNS)]
