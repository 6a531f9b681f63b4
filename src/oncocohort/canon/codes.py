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

Vital status headers
--------------------
:func:`looks_like_vital_status` tells whether a column name reads like a vital status
(``Status``, ``OS status``, ``Dead``, ``Event``, ``生存状态``...; case, blanks, ``_``, ``.`` and
``-`` ignored). Reading a source warns when such a column is left unmapped and nothing else
says who died (``unmapped_vital_status``): the deaths it records would reach no endpoint.
"""

from __future__ import annotations

import re

__all__ = ["RESPONSE_CODES", "ADEQUATE_RESPONSES", "OBJECTIVE_RESPONSE", "DISEASE_CONTROL",
           "NAMED_DATES", "DATE_NEEDS", "VITAL_STATUS_NAMES", "looks_like_vital_status"]

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

#: What a named date is made of, in the words of the error when an endpoint names it and the
#: study was given none of it (``endpoint_without_data``); dates not listed (``index``,
#: ``death``, ``last_alive``, ``data_cutoff``) come from the patients table every study has.
DATE_NEEDS: dict[str, str] = {
    "progression": "tumour assessments (lesions or responses) or a progression_date column",
    "first_response": "tumour assessments (lesions or responses)",
    "last_adequate_assessment": "tumour assessments (lesions or responses)",
    "last_assessment": "tumour assessments (lesions or responses)",
    "last_adequate_before_progression": "tumour assessments (lesions or responses)",
    "last_adequate_before_new_therapy": "tumour assessments (lesions or responses)",
    "new_therapy": "lines of therapy (therapy_lines)",
    "eot": "an end-of-treatment date (eot_date)",
}

#: Column names (folded: lower case, runs of blanks, ``_``, ``.``, ``-`` as one ``_``) that read
#: like a vital status.
VITAL_STATUS_NAMES = re.compile(
    r"^(vital_?status|status|survival_?status|os_?status|os_?event|event|censor(ed)?|"
    r"dead|death|died|deceased|alive|outcome|生存状态|生存情况|是否死亡|死亡|结局|转归|"
    r"随访状态|生存结局|状态|存活|是否存活)$")


def looks_like_vital_status(name: str) -> bool:
    """Whether a column name reads like a vital status.

    >>> [looks_like_vital_status(n) for n in ("Status", "OS status", "生存状态", "Stage")]
    [True, True, True, False]
    """
    key = re.sub(r"[\s_.\-]+", "_", str(name).strip().casefold()).strip("_")
    return bool(VITAL_STATUS_NAMES.match(key))
