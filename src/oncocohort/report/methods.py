"""The methods paragraph and the software versions, generated from the spec's conventions."""

from __future__ import annotations

import platform
from collections.abc import Mapping
from importlib import metadata

__all__ = ["software_versions", "methods_paragraph"]

_PACKAGES = ("numpy", "scipy", "pandas", "matplotlib", "oncocohort")


def software_versions() -> dict[str, str]:
    """Python and the numerical packages the results depend on (installed versions)."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "unknown"
    return out


_CI = {"clopper-pearson": "the Clopper-Pearson exact method",
       "wilson": "the Wilson score method", "wilson-cc": "the Wilson score method with "
       "continuity correction", "jeffreys": "the Jeffreys method",
       "agresti-coull": "the Agresti-Coull method", "wald": "the Wald method"}


def methods_paragraph(conventions: Mapping[str, object], endpoints: Mapping[str, str],
                      versions: Mapping[str, str]) -> str:
    """One paragraph stating every convention the results depend on."""
    c = conventions
    level = f"{100 * float(c['conf_level']):g}%"
    eps = ", ".join(f"{label}" for label in endpoints.values()) or "no time-to-event endpoint"
    conf = "confirmed" if c.get("confirmation") else "unconfirmed"
    denom = ("all treated patients" if c.get("response_denominator") == "all"
             else "patients with an evaluable best response")
    soft = ", ".join(f"{k} {v}" for k, v in versions.items() if k != "python")
    ci = _CI.get(str(c["proportion_ci"]), c["proportion_ci"])
    source = ("Patients were identified in an OMOP Common Data Model v5.4 database, where the "
              "index event and the inclusion and exclusion criteria were evaluated and the "
              "attrition counted; only the selected patients' records were read. "
              if c.get("cohort_source") == "omop" else "")
    return (
        f"{source}Time was measured from the {c['index_date_label']} in {c['time_unit']} "
        f"(1 month = {c['days_per_month']} days); the data cut-off was {c['data_cutoff']}. "
        f"Tumour response was assessed per RECIST 1.1 ({conf} best overall response); the "
        f"objective response rate (CR + PR) and the disease control rate (CR + PR + SD) are "
        f"given with {level} confidence intervals by {ci}, "
        f"with {denom} as denominator. Time-to-event endpoints ({eps}) were estimated by the "
        f"Kaplan-Meier method, with pointwise {level} confidence intervals on the "
        f"{c['km_conf_type']} scale and median confidence intervals by the method of Brookmeyer "
        f"and Crowley; median follow-up was estimated by the reverse Kaplan-Meier method. "
        f"Subgroups were compared with the log-rank test and hazard ratios estimated by Cox "
        f"proportional-hazards regression ({c['cox_ties']} ties, Wald intervals); variables with "
        f"a univariable p < {c['screen_threshold']} ({c['screen_p_from']} test) entered the "
        f"multivariable model. Adverse events were graded by CTCAE v5.0 and counted by the "
        f"worst grade per patient (treatment-emergent: onset up to "
        f"{c['treatment_emergent_days']} days after the end of treatment). Analyses used "
        f"Python {versions.get('python', '')} with {soft}."
    )
