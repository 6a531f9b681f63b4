"""The canonical vocabulary the proposal engine maps onto, imported in this one place.

The engine proposes canonical columns (``oncocohort.canon.schema``), canonical codes
(response, sex, end-of-treatment reasons), CTCAE v5.0 terms (``oncocohort.canon.ctcae``) and
checks dates with the model's own date parser, so that a column it calls "dates" is one that
``validate`` will read. When that vocabulary moves, only this module changes.
"""

from __future__ import annotations

from oncocohort.canon.codes import RESPONSE_CODES
from oncocohort.canon.ctcae import resolve_ae_term, suggest_ctcae_terms
from oncocohort.canon.formats import SOURCE_SUFFIXES
from oncocohort.canon.schema import EOT_REASONS, SEX_CODES, TABLES
from oncocohort.model.coerce import coerce_dates

__all__ = [
    "EOT_REASONS",
    "RESPONSE_CODES",
    "SEX_CODES",
    "SOURCE_SUFFIXES",
    "TABLES",
    "coerce_dates",
    "patients_column",
    "resolve_ae_term",
    "suggest_ctcae_terms",
]


def patients_column(name: str):
    """The schema column ``name`` of the patients table."""
    return TABLES["patients"].column(name)
