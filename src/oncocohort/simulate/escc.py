"""A calibrated synthetic cohort of metastatic ESCC treated with anlotinib plus a PD-1 antibody.

The cohort mirrors a published retrospective study (231 patients screened, 87 included; see
``docs/demo.md``). It is generated as raw records: screening attributes, administrations,
prior lines, lesion measurements and adverse-event records. Responses, progression dates,
survival endpoints and adverse-event summaries are *not* stored: they come out of the
package's own derivations, which is what the demo exercises.

The data are synthetic. No record describes a real patient.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncocohort.simulate import _calibration as cal
from oncocohort.simulate._outcomes import draw_courses, draw_lesions
from oncocohort.simulate._safety import assign_worst_grades, draw_ae_records
from oncocohort.simulate._screening import draw_screen_failures, included_covariates
from oncocohort.simulate._treatment import (
    draw_prior_lines,
    draw_subsequent,
    draw_therapy,
    tfi_days,
)

__all__ = ["simulate_escc", "generate_block", "DEFAULT_SEED", "TABLE_COLUMNS", "N_SCREENED",
           "BLOCK_SIZE", "HOSPITAL_RECORD"]

DEFAULT_SEED = 20250705
BLOCK_SIZE = 100_000
#: Screened patients of the default (demo) cohort.
N_SCREENED = cal.N_SCREENED

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "patients": (
        "subject_id", "index_date", "age", "sex", "ecog", "last_alive_date", "death_date",
        "eot_date", "eot_reason", "histology", "metastatic", "primary_site",
        "n_metastatic_sites", "prior_lines", "prior_failure", "prior_ici", "prior_taxane",
        "prior_platinum", "prior_targeted", "prior_surgery", "radiotherapy", "regimen",
        "pd1_antibody", "anlotinib_start_dose", "organ_function_adequate", "other_malignancy",
        "active_brain_metastases", "records_incomplete",
    ),
    "therapy": ("subject_id", "drug", "start_date", "end_date", "cycle", "dose", "planned_dose",
                "dose_change", "dose_change_reason"),
    "therapy_lines": ("subject_id", "setting", "line", "drug", "drug_class", "start_date",
                      "end_date", "progressed"),
    "lesions": ("subject_id", "visit_date", "lesion_id", "lesion_type", "site", "nodal",
                "diameter", "non_target_status"),
    "adverse_events": ("subject_id", "ae_term", "grade", "onset_date", "end_date", "related",
                       "related_drugs", "serious"),
}
# Not a canonical table: what the hospital wrote in its own one-row-per-patient sheet (the
# designed best response and progression date), used only for the bundled hospital.xlsx.
HOSPITAL_RECORD = "_hospital_record"
DATE_COLUMNS = {
    HOSPITAL_RECORD: ("progression_date",),
    "patients": ("index_date", "last_alive_date", "death_date", "eot_date"),
    "therapy": ("start_date", "end_date"),
    "therapy_lines": ("start_date", "end_date"),
    "lesions": ("visit_date",),
    "adverse_events": ("onset_date", "end_date"),
}

_CUTOFF = np.datetime64(cal.DATA_CUTOFF, "D")
_FIRST = np.datetime64(cal.INDEX_FIRST, "D")
_LAST = np.datetime64(cal.INDEX_LAST, "D")


def simulate_escc(*, seed: int = DEFAULT_SEED, n_patients: int = cal.N_SCREENED
                  ) -> dict[str, pd.DataFrame]:
    """Generate the synthetic ESCC cohort as canonical tables.

    Parameters
    ----------
    seed
        Seed of :func:`numpy.random.default_rng`; the output is a pure function of
        ``(seed, n_patients)``.
    n_patients
        Number of *screened* patients. With the default 231 (and the default seed) the
        published counts are matched exactly (see ``docs/demo.md``); other sizes scale every
        count by the largest-remainder method and draw from the same calibrated distributions.
        Patients are generated in blocks of 100,000 (:func:`generate_block`).

    Returns
    -------
    dict of DataFrame
        ``patients``, ``therapy``, ``therapy_lines``, ``lesions`` and ``adverse_events``, with
        the canonical column names of :mod:`oncocohort.canon.schema` (dates as
        ``datetime64``); ``patients`` carries the screening attributes and baseline
        covariates as free columns. No responses, endpoints or AE summaries are stored.

    Examples
    --------
    >>> tables = simulate_escc()
    >>> len(tables["patients"])
    231
    """
    if n_patients < 1:
        raise ValueError("n_patients must be at least 1")
    blocks = [generate_block(seed, b, min(BLOCK_SIZE, n_patients - start), start, n_patients)
              for b, start in enumerate(range(0, n_patients, BLOCK_SIZE))]
    return {name: pd.concat([blk[name] for blk in blocks], ignore_index=True)
            for name in TABLE_COLUMNS}


def _id_width(total: int) -> int:
    return max(4, len(str(total)))


def generate_block(seed: int, block: int, size: int, offset: int, total: int
                   ) -> dict[str, pd.DataFrame]:
    """Generate ``size`` screened patients numbered from ``offset + 1`` (one block).

    Each block has its own generators, one per part of the data:
    ``default_rng([seed, block, part, STREAMS[part]])`` (``STREAMS`` holds calibration
    constants, see :mod:`oncocohort.simulate._calibration`), so blocks can be written one at a
    time with bounded memory.
    """
    rng = _streams(seed, block)
    width = _id_width(total)
    ids = np.array([f"ESCC-{offset + i + 1:0{width}d}" for i in range(size)], dtype=object)
    screen = cal.shuffled_labels(rng["screening"], cal.SCREENING, size)
    inc = np.flatnonzero(screen == "included")
    rows = {name: [] for name in (*TABLE_COLUMNS, HOSPITAL_RECORD)}
    patients = draw_screen_failures(rng["screening"], screen, _FIRST, _LAST, _CUTOFF)
    cov = included_covariates(rng["screening"], len(inc))
    for k, v in cov.items():
        patients[k][inc] = v
    _included_records(rng, ids[inc], cov, patients, inc, rows)
    patients["subject_id"] = ids
    frames = {"patients": pd.DataFrame({c: patients[c] for c in TABLE_COLUMNS["patients"]})}
    for name in ("therapy", "therapy_lines", "lesions", "adverse_events"):
        frames[name] = pd.DataFrame(rows[name], columns=list(TABLE_COLUMNS[name]))
    frames = {name: _typed(name, f) for name, f in frames.items()}
    frames[HOSPITAL_RECORD] = _typed(HOSPITAL_RECORD, pd.DataFrame(
        rows[HOSPITAL_RECORD], columns=["subject_id", "best_response", "progression_date"]))
    return frames


def _streams(seed: int, block: int) -> dict[str, np.random.Generator]:
    """One generator per part of the data, so each part can be calibrated on its own."""
    return {part: np.random.default_rng([seed, block, k, cal.STREAMS[part]])
            for k, part in enumerate(cal.STREAMS)}


_PATIENT_DTYPES = {
    "age": "float64", "ecog": "Int64", "n_metastatic_sites": "Int64", "prior_lines": "Int64",
    "anlotinib_start_dose": "float64",
    **{c: "boolean" for c in ("metastatic", "prior_failure", "prior_ici", "prior_taxane",
                              "prior_platinum", "prior_targeted", "prior_surgery",
                              "radiotherapy", "organ_function_adequate", "other_malignancy",
                              "active_brain_metastases", "records_incomplete")},
}


def _typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    if name == "patients":
        for c, t in _PATIENT_DTYPES.items():
            vals = frame[c].where(frame[c].notna(), None)
            frame[c] = pd.array(vals.tolist(), dtype=t)
    if name == "therapy_lines":
        frame["progressed"] = pd.array(frame["progressed"].tolist(), dtype="boolean")
    for c in DATE_COLUMNS[name]:
        frame[c] = pd.to_datetime(frame[c].to_numpy(dtype="datetime64[D]")).astype(
            "datetime64[s]")
    return frame


def _day(index: np.datetime64, day: int | None):
    return np.datetime64("NaT", "D") if day is None else index + np.timedelta64(int(day), "D")


def _index_date(rng: np.random.Generator, last_day: int, at_cutoff: bool) -> np.datetime64:
    """Index date: ``last_day`` days before the cut-off for patients followed up to it;
    otherwise drawn in the accrual window so the last observation falls before the cut-off."""
    if at_cutoff:
        return _CUTOFF - np.timedelta64(last_day, "D")
    hi = min(_LAST, _CUTOFF - np.timedelta64(last_day, "D"))
    span = int((hi - _FIRST) / np.timedelta64(1, "D"))
    return _FIRST + np.timedelta64(int(span * rng.uniform() ** 0.6), "D")


def _included_records(rng, ids, cov, patients, inc, rows) -> None:
    """Courses, dates, therapy, lines, lesions and AEs of the included patients."""
    n = len(ids)
    courses = draw_courses(rng["courses"], cov)
    cats, worst = assign_worst_grades(rng["safety"], n)
    reduce_for, delay_for = _dose_events(rng["therapy"], courses, cats, worst)
    tfi = np.zeros(n, dtype=int)
    ici = np.flatnonzero(cov["prior_ici"])
    tfi[ici] = tfi_days(rng["lines"], len(ici))
    for i in range(n):
        c, sid, pd1 = courses[i], ids[i], cov["pd1_antibody"][i]
        last_obs = c.death_day if c.died else c.last_alive_day
        index = _index_date(rng["courses"], last_obs,
                            c.course == "on_treatment" or c.at_cutoff)
        ther, eot = draw_therapy(rng["therapy"], c, float(cov["anlotinib_start_dose"][i]), pd1,
                                 reduce_for.get(i), delay_for.get(i))
        rows["therapy"] += [(sid, d, _day(index, s), _day(index, e), cyc, dose, plan, ch, why)
                            for d, s, e, cyc, dose, plan, ch, why in ther]
        if c.eot_day is not None:
            c.eot_day = eot
        rows[HOSPITAL_RECORD].append((sid, c.bor, _day(index, c.pd_day)))
        p = inc[i]
        patients["index_date"][p] = index
        patients["last_alive_date"][p] = _day(index, last_obs)
        patients["death_date"][p] = _day(index, c.death_day)
        patients["eot_date"][p] = _day(index, c.eot_day)
        patients["eot_reason"][p] = c.eot_reason
        lines = draw_prior_lines(rng["lines"], int(cov["prior_lines"][i]),
                                 bool(cov["prior_ici"][i]), bool(cov["prior_taxane"][i]),
                                 bool(cov["prior_platinum"][i]), bool(cov["prior_targeted"][i]),
                                 int(tfi[i]) or None)
        lines += draw_subsequent(rng["lines"], c, int(cov["prior_lines"][i]))
        rows["therapy_lines"] += [(sid, st, ln, d, cl, _day(index, s), _day(index, e), pr)
                                  for st, ln, d, cl, s, e, pr in lines]
        lesions = draw_lesions(rng["lesions"], c)
        rows["lesions"] += [(sid, _day(index, day), lid, lt, site, nodal, diam, nts)
                            for day, lid, lt, site, nodal, diam, nts in lesions]
        ae_end = last_obs if c.eot_day is None else min(c.eot_day + 30, last_obs)
        rows["adverse_events"] += [
            (sid, term, g, _day(index, on), _day(index, end), rel, drugs, ser)
            for term, g, on, end, rel, drugs, ser in draw_ae_records(rng["safety"], cats, worst[i],
                                                                     ae_end, pd1)]


def _dose_events(rng, courses, cats, worst) -> tuple[dict[int, str], dict[int, str]]:
    """Which patients get an anlotinib dose reduction / a PD-1 delay, and why."""
    n = len(courses)
    n_cyc = np.array([((c.on_cutoff_day if c.eot_day is None else c.eot_day) - 1) // 21 + 1
                      for c in courses])
    n_red = cal.allocate({"r": cal.N_DOSE_REDUCED, "x": cal.N_INCLUDED - cal.N_DOSE_REDUCED},
                         n)["r"]
    n_del = cal.allocate({"d": cal.N_PD1_DELAYED, "x": cal.N_INCLUDED - cal.N_PD1_DELAYED},
                         n)["d"]
    reduce_for = _choose_for(rng, worst, cats, n_cyc >= 3, n_red,
                             ("hand-foot syndrome", "hypertension", "fatigue"))
    ok = (n_cyc >= 4) & ~np.isin(np.arange(n), list(reduce_for))
    delay_for = _choose_for(rng, worst, cats, ok, n_del, ("pneumonitis", "hypothyroidism", "rash"))
    return reduce_for, delay_for


def _choose_for(rng, worst, cats, ok, k, causes) -> dict[int, str]:
    cols = [cats.index(c) for c in causes]
    grade = worst[:, cols].max(axis=1)
    first = np.flatnonzero(ok & (grade >= 2))
    second = np.flatnonzero(ok & (grade < 2))
    chosen = list(rng.permutation(first)[:k])
    chosen += list(rng.permutation(second)[: k - len(chosen)])
    out = {}
    for p in chosen:
        g = worst[p, cols]
        out[int(p)] = causes[int(np.argmax(g))] if g.max() > 0 else causes[0]
    return out
