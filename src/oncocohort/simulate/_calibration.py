"""Calibration of the synthetic ESCC cohort: the published aggregates it is built to reproduce.

Counts are given for the reference study's 231 screened / 87 included patients. For another
number of patients every count vector is scaled with :func:`allocate` (largest remainder), so
the default size reproduces the counts exactly and other sizes keep the same proportions.
Continuous targets (medians, rates) are met approximately through the distribution parameters
below, tuned on the default seed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

__all__ = ["allocate", "shuffled_labels", "DATA_CUTOFF", "N_SCREENED", "N_INCLUDED"]

DATA_CUTOFF = dt.date(2025, 7, 5)
INDEX_FIRST = dt.date(2019, 1, 1)
INDEX_LAST = dt.date(2024, 12, 31)
DAYS_PER_MONTH = 30.4375

# Each part of the data has its own random generator, default_rng([seed, block, part,
# STREAMS[part]]). Exact counts hold for any value; the approximate targets (medians, rates,
# ranges, hazard ratios with their log-rank p-values, mean best change) vary from draw to draw
# with 87 patients. The two non-zero stream numbers were chosen once, part by part, with
# tests/simulate/calibrate_streams.py (a fast screen of course streams 0-20000, then the full
# pipeline on the candidates; re-run when the treatment and follow-up ranges were calibrated:
# of the 4 candidates, 3389 is the one meeting every target with each prognostic hazard ratio
# >= 0.53 at p < 0.05, univariable and multivariable; it still meets them all, 24-month PFS
# included, since intolerance stoppers can progress after the longest treatment; lesion
# stream 4 was the closest of 0-29 to the mean best change of -8.07 %, before that rule).
STREAMS = {"screening": 0, "courses": 3389, "lesions": 4, "therapy": 0, "lines": 0, "safety": 0}

N_SCREENED = 231
N_INCLUDED = 87

# Screening: the inclusion rule a screened patient fails first, or the exclusion rule that
# removes them; "included" for the 87. Order = order of the rules in the demo study.yaml.
SCREENING = {
    "escc": 31,  # not ESCC (adenocarcinoma, other histology) or not metastatic
    "ecog": 18,  # ECOG 3-4
    "adult": 1,  # younger than 18
    "prior_therapy": 22,  # no prior systemic line with progression/intolerance
    "regimen": 28,  # did not receive anlotinib plus a PD-1 antibody
    "organ_function": 13,  # inadequate organ function
    "adenocarcinoma": 0,
    "records_incomplete": 16,
    "other_malignancy": 11,
    "brain_metastases": 4,
    "included": N_INCLUDED,
}

# Baseline of the 87 (Table 1).
SEX = {"M": 61, "F": 26}
ECOG = {0: 30, 1: 40, 2: 17}  # Table 1 gives 1-2 together: 57
PRIMARY_SITE = {"upper": 19, "middle": 38, "lower": 30}
PRIOR_SURGERY = {True: 42, False: 45}
PRIOR_LINES = {1: 37, 2: 28, 3: 16, 4: 6}  # >=3: 22
PRIOR_ICI = {True: 66, False: 21}
PRIOR_TAXANE = {True: 57, False: 30}
PRIOR_PLATINUM = {True: 41, False: 46}
PRIOR_TARGETED = {True: 22, False: 65}
METASTATIC_SITES = {1: 30, 2: 32, 3: 17, 4: 8}  # <3: 62, >=3: 25
RADIOTHERAPY = {True: 11, False: 76}
ANLOTINIB_START = {12.0: 61, 10.0: 26}
PD1 = {"tislelizumab": 39, "camrelizumab": 31, "pembrolizumab": 17}

# Outcome classes of the 87 (Figure 1 and Results). Each patient gets one course:
#   on_treatment        alive, no progression, still treated at the cut-off
#   lost                lost to follow-up before progression (alive at last contact)
#   ae_stop             stopped for intolerance, progressed or died afterwards
#   pd_stop             stopped for progression or death
COURSE = {"on_treatment": 11, "lost": 7, "ae_stop": 6, "pd_stop": 63}
N_DEATHS = 59  # among the 69 with a PFS event (ae_stop + pd_stop)
# Best overall response (RECIST 1.1 from the lesions): no CR.
BOR = {"PR": 19, "SD": 45, "PD": 18, "NE": 5}
# Of the 5 NE (no post-baseline scan): 1 lost early, 4 died before the first scan
NE_LOST = 1
# Exposure
N_DOSE_REDUCED = 14
N_PD1_DELAYED = 3

# Treatment-related AEs: patient-level worst grade, (grade 1-2, grade >=3) per reported term.
TRAE = {
    "fatigue": (48, 5),
    "hypertension": (33, 13),
    "nausea and vomiting": (36, 5),
    "anaemia": (35, 3),
    "hand-foot syndrome": (27, 6),
    "liver function abnormality": (22, 7),
    "hypothyroidism": (23, 2),
    "proteinuria": (16, 3),
    "pneumonitis": (14, 4),
    "oral mucositis": (11, 1),
    "rash": (9, 0),
    "haemorrhage": (5, 0),
}
TRAE_ANY = {"none": 7, "mild": 36, "severe": 44}  # worst over all TRAEs: none, 1-2, >=3

# Hospital terms recorded for each reported category, and the drugs they are attributed to.
TRAE_TERMS = {
    "fatigue": (("fatigue",), "both"),
    "hypertension": (("hypertension",), "anlotinib"),
    "nausea and vomiting": (("nausea", "vomiting"), "both"),
    "anaemia": (("anaemia",), "both"),
    "hand-foot syndrome": (("hand-foot syndrome",), "anlotinib"),
    "liver function abnormality": (
        ("ALT increased", "AST increased", "bilirubin increased"), "both"),
    "hypothyroidism": (("hypothyroidism",), "pd1"),
    "proteinuria": (("proteinuria",), "anlotinib"),
    "pneumonitis": (("pneumonitis",), "pd1"),
    "oral mucositis": (("oral mucositis",), "anlotinib"),
    "rash": (("rash",), "pd1"),
    "haemorrhage": (("epistaxis", "gum bleeding"), "anlotinib"),
}
UNRELATED_TERMS = ("constipation", "cough", "back pain", "insomnia", "decreased appetite",
                   "hypoalbuminaemia", "fatigue", "anaemia")

# Time-to-event model (days). OS: Weibull proportional hazards with the three prognostic
# factors of Table 2 (centred linear predictor); PFS: Weibull margin joined to OS by a Gaussian
# copula. Shapes below 1 give the long tails of the published curves (median OS 11.5 months
# with 27.6 % alive at 24 months); latent times past the longest follow-up (33.6 months) are
# censored (see _outcomes), and so are patients whose progression would come after the longest
# treatment, which lowers the 24-month rate, hence the heavy OS tail (0.62). The log hazard
# ratios are stronger than the published 0.63-0.68 (see docs/demo.md: with 59 deaths p < 0.05
# needs HR <~ 0.57); what the pipeline estimates on the demo is 0.53-0.55. Tuned on the
# default seed.
OS_SHAPE = 0.62
OS_SCALE_DAYS = 500.0
PFS_SHAPE = 0.62
PFS_SCALE_DAYS = 270.0
PFS_OS_CORRELATION = 0.8
PFS_LP_FRACTION = 0.6  # PFS hazard ratios = OS hazard ratios ** this
LOG_HR = {"ecog0": np.log(0.525), "few_sites": np.log(0.50), "prior_ici": np.log(0.545)}
# Ranges of treatment duration (0.7-22.5 months) and follow-up (0.7-33.6 months). The shortest
# course: the last dose and death on day 22 (day 2 of cycle 2), 0.76 months of both treatment
# and follow-up; every other patient is treated at least that long. Nobody is treated longer
# than 22.5 months (day 685), so progression past that (the patient would still be treated) is
# not observed: those patients are censored for PFS (see _outcomes).
SHORTEST_COURSE_DAYS = 22
LONGEST_TREATMENT_DAYS = 685
# Share of the intolerance stoppers whose progression comes after the longest treatment (they
# keep the PFS curve going past 22.5 months; 2 of 6 in the demo). In the demo the late
# progressors left over by the censored courses give it; larger cohorts are topped up to it.
LATE_AE_SHARE = 1 / 3
ON_TREATMENT_MAX_DAYS = LONGEST_TREATMENT_DAYS  # follow-up of patients still treated: from 186
# days (index <= 2024-12) up to this,
FOLLOW_UP_SKEW = 0.8  # ... slightly skewed towards long follow-up
ALIVE_PD_CONTACT = (0.1, 0.6)  # last contact of progressed survivors, fraction of the gap
LONG_SURVIVOR_CONTACT = (0.6, 1.0)  # ... of those alive past the follow-up limit: fraction of
# the time from the progression scan to the limit (33.6 months)
TFI_QUANTILES = ((0.0, 1.2), (0.25, 3.3), (0.5, 6.7), (0.75, 9.2), (1.0, 19.0))  # months


def allocate(counts: dict, total: int) -> dict:
    """Scale integer ``counts`` to sum to ``total`` by the largest-remainder method.

    Returns ``counts`` unchanged when ``total`` equals their sum; ties in the remainders go
    to the earlier key, so the result is deterministic.
    """
    keys = list(counts)
    base = np.array([counts[k] for k in keys], dtype=float)
    s = base.sum()
    if total == s:
        return dict(counts)
    if s == 0:
        return {k: 0 for k in keys}
    raw = base * total / s
    out = np.floor(raw).astype(int)
    rest = total - out.sum()
    order = sorted(range(len(keys)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[:rest]:
        out[i] += 1
    return {k: int(v) for k, v in zip(keys, out, strict=True)}


def shuffled_labels(rng: np.random.Generator, counts: dict, total: int) -> np.ndarray:
    """An array of ``total`` labels with the allocated counts, in random order."""
    alloc = allocate(counts, total)
    labels = np.concatenate([np.repeat(np.array([k], dtype=object), v)
                             for k, v in alloc.items()]) if total else np.array([], dtype=object)
    return labels[rng.permutation(len(labels))]
RESPONSE_PFS_POWER = -0.1  # responders drawn with weight latent PFS ** power (offsets the
# selection of responders among patients without progression at the first scan)
LOST_FRACTION = (0.3, 0.9)  # last contact of patients lost to follow-up, fraction of PFS
EOT_AROUND_PD_DAYS = (-14, 5)  # last dose of a patient stopping for progression: from two
# weeks before the PD scan (the cycle before it) to a few days after it (half-open range)
