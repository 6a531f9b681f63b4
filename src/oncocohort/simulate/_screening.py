"""Screening attributes: why each screened patient is (not) in the cohort, and baseline covariates.

Every screened patient gets the full set of screening columns. A patient who fails a rule has
the attribute that makes them fail it and passes every earlier rule, so the cohort selection
removes them at exactly that step; the 87 included patients get the Table 1 distributions as
exact counts.
"""

from __future__ import annotations

import numpy as np

from oncocohort.simulate import _calibration as cal

__all__ = ["draw_screen_failures", "included_covariates"]

_REGIMEN = "anlotinib + PD-1 antibody"
_OTHER_REGIMENS = ("anlotinib alone", "PD-1 antibody + chemotherapy", "anlotinib + chemotherapy")


def _ages(rng: np.random.Generator, n: int) -> np.ndarray:
    """Integer ages with median 63 and range 23-82 (exact when n >= 3)."""
    a = np.clip(np.round(rng.normal(62.5, 8.5, size=n)), 30, 80)
    if n >= 3:
        order = np.argsort(a, kind="stable")
        s = a[order]
        s[0], s[-1] = 23, 82
        mid = (n - 1) // 2
        s[: mid + 1] = np.minimum(s[: mid + 1], 63)
        s[mid:] = np.maximum(s[mid:], 63)
        if n % 2 == 0:
            s[mid + 1] = 63
        a[order] = s
    return a.astype(float)


def _labels(rng, counts, n) -> np.ndarray:
    return cal.shuffled_labels(rng, counts, n)


def included_covariates(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Baseline covariates of the included patients with the Table 1 counts."""
    ecog = _labels(rng, cal.ECOG, n).astype(int)
    cov = {
        "age": _ages(rng, n),
        "sex": _labels(rng, cal.SEX, n),
        "ecog": ecog,
        "primary_site": _labels(rng, cal.PRIMARY_SITE, n),
        "prior_surgery": _labels(rng, cal.PRIOR_SURGERY, n).astype(bool),
        "prior_lines": _labels(rng, cal.PRIOR_LINES, n).astype(int),
        "prior_ici": _labels(rng, cal.PRIOR_ICI, n).astype(bool),
        "prior_taxane": _labels(rng, cal.PRIOR_TAXANE, n).astype(bool),
        "prior_platinum": _labels(rng, cal.PRIOR_PLATINUM, n).astype(bool),
        "prior_targeted": _labels(rng, cal.PRIOR_TARGETED, n).astype(bool),
        "n_metastatic_sites": _labels(rng, cal.METASTATIC_SITES, n).astype(int),
        "radiotherapy": _labels(rng, cal.RADIOTHERAPY, n).astype(bool),
        "anlotinib_start_dose": _labels(rng, cal.ANLOTINIB_START, n).astype(float),
        "pd1_antibody": _labels(rng, cal.PD1, n),
    }
    fixed = {"histology": "ESCC", "metastatic": True, "prior_failure": True,
             "regimen": _REGIMEN, "organ_function_adequate": True, "other_malignancy": False,
             "active_brain_metastases": False, "records_incomplete": False}
    for k, v in fixed.items():
        cov[k] = np.full(n, v, dtype=object)
    return cov


def _p(counts: dict) -> tuple[list, np.ndarray]:
    keys = list(counts)
    w = np.array([counts[k] for k in keys], dtype=float)
    return keys, w / w.sum()


def _draw(rng, counts, n):
    keys, p = _p(counts)
    return np.array([keys[i] for i in rng.choice(len(keys), size=n, p=p)], dtype=object)


def draw_screen_failures(rng: np.random.Generator, screen: np.ndarray, first: np.datetime64,
                         last: np.datetime64, cutoff: np.datetime64) -> dict[str, np.ndarray]:
    """Columns for every screened patient, filled for those not included.

    Returns object arrays keyed by patients column; dates of included patients are left empty
    (filled from their courses).
    """
    n = len(screen)
    out: dict[str, np.ndarray] = {}
    out["age"] = np.clip(np.round(rng.normal(63, 9, size=n)), 35, 85).astype(object)
    out["sex"] = _draw(rng, cal.SEX, n)
    out["ecog"] = _draw(rng, cal.ECOG, n)
    out["primary_site"] = _draw(rng, cal.PRIMARY_SITE, n)
    out["n_metastatic_sites"] = _draw(rng, cal.METASTATIC_SITES, n)
    out["prior_lines"] = _draw(rng, cal.PRIOR_LINES, n)
    for k, counts in (("prior_ici", cal.PRIOR_ICI), ("prior_taxane", cal.PRIOR_TAXANE),
                      ("prior_platinum", cal.PRIOR_PLATINUM),
                      ("prior_targeted", cal.PRIOR_TARGETED),
                      ("prior_surgery", cal.PRIOR_SURGERY), ("radiotherapy", cal.RADIOTHERAPY)):
        out[k] = _draw(rng, counts, n)
    out["anlotinib_start_dose"] = _draw(rng, cal.ANLOTINIB_START, n)
    out["pd1_antibody"] = _draw(rng, cal.PD1, n)
    out["histology"] = np.full(n, "ESCC", dtype=object)
    out["metastatic"] = np.full(n, True, dtype=object)
    out["prior_failure"] = np.full(n, True, dtype=object)
    out["regimen"] = np.full(n, _REGIMEN, dtype=object)
    for k in ("organ_function_adequate",):
        out[k] = np.full(n, True, dtype=object)
    for k in ("other_malignancy", "active_brain_metastases", "records_incomplete"):
        out[k] = np.full(n, False, dtype=object)
    _apply_failures(rng, screen, out)
    days = int((last - first) / np.timedelta64(1, "D"))
    index = first + rng.integers(0, days + 1, size=n).astype("timedelta64[D]")
    follow = np.minimum(rng.integers(0, 400, size=n).astype("timedelta64[D]"), cutoff - index)
    out["index_date"] = index.astype(object)
    out["last_alive_date"] = (index + follow).astype(object)
    for k in ("death_date", "eot_date"):
        out[k] = np.full(n, np.datetime64("NaT", "D"), dtype=object)
    out["eot_reason"] = np.full(n, None, dtype=object)
    return out


def _apply_failures(rng: np.random.Generator, screen: np.ndarray,  # noqa: C901 - a rule each
                    out: dict) -> None:
    def where(label):
        return np.flatnonzero(screen == label)

    idx = where("escc")
    kind = rng.choice(["adenocarcinoma", "not metastatic", "small cell carcinoma"], size=len(idx),
                      p=[0.5, 0.38, 0.12])
    for i, k in zip(idx, kind, strict=True):
        if k == "not metastatic":
            out["metastatic"][i] = False
            out["n_metastatic_sites"][i] = 0
        else:
            out["histology"][i] = k
    for i in where("ecog"):
        out["ecog"][i] = int(rng.choice([3, 4], p=[0.8, 0.2]))
    for i in where("adult"):
        out["age"][i] = float(rng.choice([16, 17]))
    for i in where("prior_therapy"):
        if rng.uniform() < 0.65:
            out["prior_lines"][i] = 0
            for k in ("prior_ici", "prior_taxane", "prior_platinum", "prior_targeted"):
                out[k][i] = False
        out["prior_failure"][i] = False
    for i in where("regimen"):
        reg = str(rng.choice(_OTHER_REGIMENS))
        out["regimen"][i] = reg
        if "PD-1" not in reg:
            out["pd1_antibody"][i] = None
        if "anlotinib" not in reg:
            out["anlotinib_start_dose"][i] = None
    for i in where("organ_function"):
        out["organ_function_adequate"][i] = False
    for i in where("records_incomplete"):
        out["records_incomplete"][i] = True
        out["primary_site"][i] = None
        out["n_metastatic_sites"][i] = None
        if rng.uniform() < 0.5:
            out["radiotherapy"][i] = None
    for i in where("other_malignancy"):
        out["other_malignancy"][i] = True
    for i in where("brain_metastases"):
        out["active_brain_metastases"][i] = True
