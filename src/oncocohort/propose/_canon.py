"""The canonical vocabulary the proposal engine maps onto, imported in this one place.

The engine proposes canonical columns (``oncocohort.model.schema``), canonical codes
(response, sex, end-of-treatment reasons), CTCAE v5.0 terms (``oncocohort.model.ctcae``) and
checks dates with the model's own date parser, so that a column it calls "dates" is one that
``validate`` will read. When that vocabulary moves, only this module changes.
"""

from __future__ import annotations

from oncocohort.model.coerce import coerce_dates
from oncocohort.model.ctcae import resolve_ae_term, suggest_ctcae_terms
from oncocohort.model.schema import EOT_REASONS, RESPONSE_CODES, SEX_CODES, TABLES

__all__ = [
    "EOT_REASONS",
    "RESPONSE_CODES",
    "SEX_CODES",
    "TABLES",
    "coerce_dates",
    "patients_column",
    "resolve_ae_term",
    "suggest_ctcae_terms",
]


def patients_column(name: str):
    """The schema column ``name`` of the patients table."""
    return TABLES["patients"].column(name)
