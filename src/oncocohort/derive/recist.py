"""RECIST 1.1 at the visit level: target sums, % changes, component and overall responses.

One row per subject per imaging visit is derived from the canonical ``lesions`` table
(:data:`oncocohort.canon.schema.LESIONS`): the sum of target diameters (long axis; short axis
for lymph nodes, which the ``diameter`` column already holds), its change from baseline and
from the nadir, the target, non-target and new-lesion components, and the overall response of
RECIST 1.1 Table 1 (target disease, with or without non-target disease) or Table 2
(non-target disease only). :func:`derive_overall_records` then builds the visit-level overall
responses that :func:`oncocohort.derive.response.derive_best_response` consumes, from lesion
measurements, from responses supplied directly in the ``responses`` table, or both.

References
----------
Eisenhauer EA, Therasse P, Bogaerts J, et al. New response evaluation criteria in solid
tumours: revised RECIST guideline (version 1.1). Eur J Cancer 2009;45:228-247
(section 4.3.1 target lesions, 4.3.3 non-target lesions, 4.3.4 new lesions, 4.4.1 Table 1
and Table 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from oncocohort.derive._recist_frame import NOT_APPLICABLE, visit_frame
from oncocohort.canon.codes import RESPONSE_CODES
from oncocohort.canon.conventions import Conventions, DayCount, ResponseConventions
from oncocohort.canon.schema import LESION_TYPES, NON_TARGET_STATUS
from oncocohort.problems import InputError, Problem

__all__ = [
    "ResponseOptions",
    "NOT_APPLICABLE",
    "VISIT_COLUMNS",
    "OVERALL_COLUMNS",
    "check_lesions",
    "check_responses",
    "derive_visit_response",
    "derive_overall_records",
]

#: Columns of :func:`derive_visit_response`, in order.
VISIT_COLUMNS: tuple[str, ...] = (
    "subject_id", "visit_date", "baseline", "targets_expected", "targets_assessed",
    "target_sum", "baseline_sum", "pct_change_baseline", "nadir", "pct_change_nadir",
    "target_response", "non_target_response", "new_lesion", "overall_response",
)

#: Columns of :func:`derive_overall_records`, in order.
OVERALL_COLUMNS: tuple[str, ...] = ("subject_id", "assessment_date", "response", "source")


_DEFAULT = ResponseConventions()  # the spec's defaults (oncocohort.canon.conventions)


@dataclass(frozen=True)
class ResponseOptions:
    """Options of the RECIST 1.1 response derivations (visit level and best response).

    Attributes
    ----------
    confirmation
        ``False`` (default): the analysed best response is the unconfirmed BOR; ``True``: the
        confirmed BOR (CR/PR confirmed by a later assessment, RECIST 1.1 section 4.6).
    confirmation_days
        Minimum days between a CR/PR and its confirmatory assessment (admiralonco
        ``ref_confirm``; the confirmatory date must be ``>= date + confirmation_days``).
    sd_min_days
        SD and NON-CR/NON-PD count only at ``>= reference + sd_min_days`` days (admiralonco
        ``ref_start_window``); earlier they make the BOR NE (RECIST 1.1 section 4.4.2).
    max_ne_between
        Maximum number of NE assessments between a response and its confirmation.
    accept_sd_between
        Accept one SD between a PR and its confirmation (admiralonco ``accept_sd``; default
        ``False``, as admiralonco).
    reference
        Column of ``patients`` holding the reference date (index date): records before it are
        ignored and the SD window is counted from it.
    stop_at_new_therapy
        Ignore assessments after the start of a new anticancer therapy (``therapy_lines`` rows
        with ``setting == "subsequent"``). An assessment on the start date itself is kept.
    worst_order
        When several overall responses share one date, the one latest in this order is kept
        (admiralonco: NE < CR < PR < SD < NON-CR/NON-PD < PD).
    nodal_cr_mm
        A lymph node counts as normal (CR of a nodal target, absent nodal non-target) when its
        short axis is below this many mm (RECIST 1.1: 10 mm).
    pr_decrease_pct, pd_increase_pct, pd_increase_mm
        Target thresholds: PR at a decrease of at least 30 % from baseline; PD at an increase of
        at least 20 % over the nadir and at least 5 mm absolute.
    no_assessment
        BOR of a subject without any post-baseline assessment: ``"NE"`` (default) or
        ``"MISSING"`` (admiralonco).
    clinical_benefit_days
        Clinical benefit needs a response, or SD/NON-CR/NON-PD (or CR/PR) at least this many
        days after the reference date; ``None`` means ``sd_min_days`` (then clinical benefit is
        disease control, as admiralonco's CB/CCB). A common alternative is 168 (24 weeks).
    day_count
        ``"admiral"``: days = end - start + 1 (admiral ``add_one = TRUE``);
        ``"difference"``: end - start. Used for ``time_to_response_days``.
    """

    confirmation: bool = _DEFAULT.confirmation
    confirmation_days: int = _DEFAULT.confirmation_days
    sd_min_days: int = _DEFAULT.sd_min_days
    max_ne_between: int = _DEFAULT.max_ne_between
    accept_sd_between: bool = False
    reference: str = "index_date"
    stop_at_new_therapy: bool = True
    worst_order: tuple[str, ...] = ("NE", "CR", "PR", "SD", "NON-CR/NON-PD", "PD")
    nodal_cr_mm: float = 10.0
    pr_decrease_pct: float = 30.0
    pd_increase_pct: float = 20.0
    pd_increase_mm: float = 5.0
    no_assessment: Literal["NE", "MISSING"] = "NE"
    clinical_benefit_days: int | None = None
    day_count: DayCount = Conventions().day_count

    def __post_init__(self) -> None:
        bad = []
        for name in ("confirmation_days", "sd_min_days", "max_ne_between"):
            if getattr(self, name) < 0:
                bad.append(f"{name} must be >= 0")
        if sorted(self.worst_order) != sorted(RESPONSE_CODES):
            bad.append(f"worst_order must order exactly {', '.join(RESPONSE_CODES)}")
        if self.no_assessment not in ("NE", "MISSING"):
            bad.append("no_assessment must be 'NE' or 'MISSING'")
        if self.day_count not in ("admiral", "difference"):
            bad.append("day_count must be 'admiral' or 'difference'")
        if bad:
            raise ValueError("; ".join(bad))


# --------------------------------------------------------------------------- validation

def _missing_columns(frame: pd.DataFrame, table: str, needed: tuple[str, ...]) -> list[Problem]:
    return [
        Problem("error", f"required column {c!r} is missing", column=c, location=table,
                code="missing_column")
        for c in needed if c not in frame.columns
    ]


def _bad_values(frame: pd.DataFrame, table: str, column: str,
                allowed: tuple[str, ...]) -> list[Problem]:
    if column not in frame.columns:
        return []
    values = frame[column]
    bad = values.notna() & ~values.isin(allowed)
    return [
        Problem("error", f"value not allowed in {column!r} (allowed: {', '.join(allowed)})",
                column=column, location=table, subject=str(frame["subject_id"].iloc[i]),
                code="invalid_code")
        for i in np.flatnonzero(bad.to_numpy())
    ]


def check_lesions(lesions: pd.DataFrame) -> None:
    """Validate a canonical ``lesions`` frame; raise :class:`InputError` with every problem.

    Checks required columns, allowed ``lesion_type`` and ``non_target_status`` codes,
    non-negative diameters, missing visit dates and duplicated
    (``subject_id``, ``visit_date``, ``lesion_id``) keys. Messages name the subject, never a
    measurement.
    """
    needed = ("subject_id", "visit_date", "lesion_id", "lesion_type")
    problems = _missing_columns(lesions, "lesions", needed)
    if problems:
        raise InputError(problems)
    problems += _bad_values(lesions, "lesions", "lesion_type", LESION_TYPES)
    problems += _bad_values(lesions, "lesions", "non_target_status", NON_TARGET_STATUS)
    for i in np.flatnonzero(lesions["visit_date"].isna().to_numpy()):
        problems.append(Problem("error", "visit date is missing", column="visit_date",
                                location="lesions", subject=str(lesions["subject_id"].iloc[i]),
                                code="missing_value"))
    if "diameter" in lesions.columns:
        diameter = pd.to_numeric(lesions["diameter"], errors="coerce").astype("float64")
        for i in np.flatnonzero((diameter < 0).to_numpy()):
            problems.append(Problem("error", "diameter is negative", column="diameter",
                                    location="lesions",
                                    subject=str(lesions["subject_id"].iloc[i])))
    dup = lesions.duplicated(["subject_id", "visit_date", "lesion_id"], keep="first")
    for i in np.flatnonzero(dup.to_numpy()):
        problems.append(Problem("error", "lesion recorded twice at one visit",
                                column="lesion_id", location="lesions",
                                subject=str(lesions["subject_id"].iloc[i]), code="duplicate"))
    if problems:
        raise InputError(problems)


def check_responses(responses: pd.DataFrame, table: str = "responses",
                    date: str = "assessment_date") -> None:
    """Validate visit-level overall responses (codes of RECIST 1.1, dates present)."""
    problems = _missing_columns(responses, table, ("subject_id", date, "response"))
    if problems:
        raise InputError(problems)
    problems += _bad_values(responses, table, "response", RESPONSE_CODES)
    for i in np.flatnonzero(responses[date].isna().to_numpy()):
        problems.append(Problem("error", "assessment date is missing", column=date,
                                location=table, subject=str(responses["subject_id"].iloc[i]),
                                code="missing_value"))
    if problems:
        raise InputError(problems)


# --------------------------------------------------------------------------- working copy

def _normalise(lesions: pd.DataFrame) -> pd.DataFrame:
    """A working copy with plain dtypes: float diameters (NaN), bool ``nodal`` (missing = no)."""
    out = lesions.loc[:, ["subject_id", "visit_date", "lesion_id", "lesion_type"]].copy()
    n = len(out)
    diameter = lesions["diameter"] if "diameter" in lesions else pd.Series(np.nan, index=out.index)
    out["diameter"] = pd.to_numeric(diameter, errors="coerce").astype("float64")
    if "nodal" in lesions:
        nodal = lesions["nodal"].astype(object)
        out["nodal"] = nodal.where(nodal.notna(), False).to_numpy().astype(bool)
    else:
        out["nodal"] = np.zeros(n, dtype=bool)
    status = lesions["non_target_status"] if "non_target_status" in lesions else [None] * n
    out["non_target_status"] = pd.Series(status, index=out.index, dtype=object).where(
        pd.notna(status), None)
    for c in ("subject_id", "lesion_id", "lesion_type"):
        out[c] = out[c].astype(object)
    return out


# --------------------------------------------------------------------------- public

def derive_visit_response(lesions: pd.DataFrame, patients: pd.DataFrame | None = None, *,
                          options: ResponseOptions | None = None) -> pd.DataFrame:
    """Derive RECIST 1.1 visit-level sums, % changes and responses from lesion measurements.

    Parameters
    ----------
    lesions
        Canonical ``lesions`` table (one row per lesion per visit).
    patients
        Canonical ``patients`` table; its ``options.reference`` column (default
        ``index_date``) places the baseline. Without it the first visit is the baseline.
    options
        :class:`ResponseOptions` (``nodal_cr_mm`` and the PR/PD thresholds are used here).

    Returns
    -------
    pandas.DataFrame
        One row per subject per visit date, columns :data:`VISIT_COLUMNS`:

        - ``baseline``: the baseline visit is the last visit on or before the index date, or
          the first visit when there is none before it. Target and non-target lesions are the
          ``TARGET`` / ``NON-TARGET`` lesions recorded at the baseline visit.
        - ``targets_expected`` / ``targets_assessed``: baseline targets, and those with a
          diameter at this visit (a target row without a diameter, or no row, is not assessed).
        - ``target_sum``: sum of the assessed diameters (mm), long axis for non-nodal and short
          axis for nodal targets (what ``diameter`` holds). It is a *partial* sum when
          ``targets_assessed < targets_expected``, as admiralonco's ADTR ``SDIAM``.
        - ``baseline_sum``: the baseline ``target_sum`` (NaN unless every baseline target was
          measured).
        - ``pct_change_baseline`` = 100 (sum - baseline_sum) / baseline_sum.
        - ``nadir``: smallest complete sum (all targets assessed) from the baseline up to the
          previous visit; NaN at the baseline. ``pct_change_nadir`` = 100 (sum - nadir) / nadir
          (NaN when the nadir is 0).
        - ``target_response`` (section 4.3.1): CR when every non-nodal target is 0 mm and every
          nodal target < ``nodal_cr_mm``; PD when sum - nadir >= 20 % of the nadir and >= 5 mm
          (also from a partial sum, which can only understate the full sum); NE when a target
          is not assessed and PD is not shown; PR when sum <= 0.7 baseline_sum; SD otherwise;
          ``NOT APPLICABLE`` without baseline targets. CR is tested before PD, so nodes
          regrowing while still < 10 mm stay CR.
        - ``non_target_response`` (section 4.3.3): PD on any ``UNEQUIVOCAL PROGRESSION``; NE
          when a baseline non-target is missing or ``NE``; CR when all are ``ABSENT`` (a nodal
          non-target measured < ``nodal_cr_mm`` counts as absent); NON-CR/NON-PD otherwise.
        - ``new_lesion``: any ``NEW`` lesion row at the visit not marked ``ABSENT``.
        - ``overall_response``: Table 1 when there are targets, Table 2 when only non-targets;
          PD when a new lesion appears; NE with neither target nor non-target disease.

        Responses are NaN (None) at and before the baseline visit.

    Examples
    --------
    >>> import pandas as pd
    >>> les = pd.DataFrame({"subject_id": ["1", "1"], "lesion_id": ["T1", "T1"],
    ...     "visit_date": pd.to_datetime(["2024-01-01", "2024-03-01"]),
    ...     "lesion_type": ["TARGET", "TARGET"], "diameter": [50.0, 30.0]})
    >>> derive_visit_response(les)["overall_response"].tolist()
    [None, 'PR']
    """
    o = options or ResponseOptions()
    check_lesions(lesions)
    lesions = _normalise(lesions[lesions["subject_id"].notna()])  # as groupby: no NaN key
    if len(lesions) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in VISIT_COLUMNS})
    index = None
    if patients is not None:
        ref = patients[o.reference]
        index = pd.Series(ref.to_numpy(), index=patients["subject_id"].to_numpy(dtype=object))
        index = index[~index.index.duplicated(keep="last")]  # as a dict: the last row wins
    return visit_frame(lesions, index, o).loc[:, list(VISIT_COLUMNS)]


def derive_overall_records(visits: pd.DataFrame | None = None,
                           responses: pd.DataFrame | None = None) -> pd.DataFrame:
    """Build the visit-level overall-response records that the best response is derived from.

    Parameters
    ----------
    visits
        Output of :func:`derive_visit_response` (its post-baseline ``overall_response``).
    responses
        Canonical ``responses`` table: visit-level responses supplied directly, used as given.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`OVERALL_COLUMNS`; ``source`` is ``"lesions"`` or ``"responses"``.
        When a subject has records from both sources, only the supplied ``responses`` are
        used for that subject (the investigator's recorded assessment wins over our
        re-derivation; mixing both would double-count visits).
    """
    parts = []
    given_subjects: set = set()
    if responses is not None:
        check_responses(responses)
        g = responses.loc[:, ["subject_id", "assessment_date", "response"]].copy()
        g["source"] = "responses"
        given_subjects = set(g["subject_id"])
        parts.append(g)
    if visits is not None:
        d = visits[visits["overall_response"].notna()
                   & ~visits["subject_id"].isin(given_subjects)]
        d = d.loc[:, ["subject_id", "visit_date", "overall_response"]].rename(
            columns={"visit_date": "assessment_date", "overall_response": "response"})
        d["source"] = "lesions"
        parts.append(d)
    if not parts:
        raise ValueError("give visit responses, supplied responses, or both")
    out = pd.concat(parts, ignore_index=True)
    if out["assessment_date"].dtype.kind != "M":
        out["assessment_date"] = pd.to_datetime(out["assessment_date"])
    return out.sort_values(["subject_id", "assessment_date"], kind="stable").reset_index(
        drop=True).loc[:, list(OVERALL_COLUMNS)]
