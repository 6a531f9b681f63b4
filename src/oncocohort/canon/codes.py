"""Codes every stage speaks: RECIST 1.1 response codes and the named dates of endpoints.

Written once here; the data model (:mod:`oncocohort.canon.schema`), the spec, the
derivations, the analyses and the report read them from this module.

Response codes
--------------
:data:`RESPONSE_CODES` is the RECIST 1.1 overall response, best first: the order of
preference of a best overall response (CR > PR > SD > NON-CR/NON-PD > PD > NE; Eisenhauer
et al. 2009, section 4.4) and the order of the response tables. The sets below group them:

``ADEQUATE_RESPONSES``   an evaluable assessment (every code but NE); the FDA (2018) PFS
                         censoring rules count "adequate assessments"
``OBJECTIVE_RESPONSE``   CR or PR: the objective response rate (ORR)
``DISEASE_CONTROL``      CR, PR, SD or NON-CR/NON-PD: the disease control rate (DCR)

Named dates
-----------
:data:`NAMED_DATES` are the dates an endpoint of the study spec may start at, end with an
event at, or be censored at (``endpoints: {pfs: {events: [progression, death], ...}}``);
:mod:`oncocohort.derive.dates` documents where each comes from. Any date column of the
patients table is available too, written ``patients.<column>``.
"""

from __future__ import annotations

__all__ = ["RESPONSE_CODES", "ADEQUATE_RESPONSES", "OBJECTIVE_RESPONSE", "DISEASE_CONTROL",
           "NAMED_DATES"]

RESPONSE_CODES: tuple[str, ...] = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")
ADEQUATE_RESPONSES: tuple[str, ...] = RESPONSE_CODES[:-1]
OBJECTIVE_RESPONSE: tuple[str, ...] = ("CR", "PR")
DISEASE_CONTROL: tuple[str, ...] = ("CR", "PR", "SD", "NON-CR/NON-PD")

NAMED_DATES: tuple[str, ...] = (
    "index",
    "death",
    "last_alive",
    "progression",
    "first_response",
    "last_adequate_assessment",
    "last_assessment",
    "new_therapy",
    "eot",
    "data_cutoff",
    "last_adequate_before_progression",
    "last_adequate_before_new_therapy",
)
