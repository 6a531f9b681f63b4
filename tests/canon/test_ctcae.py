"""The packaged CTCAE v5.0 term list: contents, lookup, suggestions, term resolution."""

from __future__ import annotations

import csv

import pytest

from _refdata import CTCAE, require
from oncocohort.canon.ctcae import (
    ctcae_terms,
    lookup_ctcae_term,
    resolve_ae_term,
    suggest_ctcae_terms,
)

SHARED = CTCAE / "ctcae_v5_terms.csv"


def test_837_terms_in_26_socs():
    terms = ctcae_terms()
    assert len(terms) == 837  # CTCAE v5.0 (NCI 2017) lists 837 terms
    assert len({t.soc for t in terms}) == 26
    assert len({t.term.casefold() for t in terms}) == 837


def test_package_copy_matches_the_shared_reference():
    with require(SHARED).open(encoding="utf-8") as fh:
        ref = [r["term"] for r in csv.DictReader(fh)]
    assert [t.term for t in ctcae_terms()] == ref


@pytest.mark.parametrize("text, term", [
    ("Fatigue", "Fatigue"),
    ("fatigue", "Fatigue"),
    ("  PALMAR-plantar   erythrodysesthesia syndrome ",
     "Palmar-plantar erythrodysesthesia syndrome"),
    ("alanine aminotransferase increased", "Alanine aminotransferase increased"),
])
def test_lookup_ignores_case_and_blanks(text, term):
    hit = lookup_ctcae_term(text)
    assert hit is not None and hit.term == term


def test_lookup_fails_for_non_terms():
    assert lookup_ctcae_term("Fatigued") is None
    assert lookup_ctcae_term("hand-foot syndrome") is None


@pytest.mark.parametrize("text, first", [
    ("Fatige", "Fatigue"),
    ("hypertensoin", "Hypertension"),
    ("Diarhea", "Diarrhea"),
    ("Palmar plantar syndrome", "Palmar-plantar erythrodysesthesia syndrome"),
])
def test_suggestions(text, first):
    assert suggest_ctcae_terms(text)[0] == first


def test_no_suggestion_for_nonsense():
    assert suggest_ctcae_terms("qqqqqqqqqqqq") == []


def test_resolve_through_synonyms_and_groups():
    syn = {"ALT increased": "alanine aminotransferase increased", "HFS": "Hand-foot"}
    groups = {"Liver function abnormality": ["Alanine aminotransferase increased"]}
    assert resolve_ae_term("alt INCREASED", syn) == "Alanine aminotransferase increased"
    assert resolve_ae_term("hfs", syn) == "Hand-foot"  # a target that is not CTCAE is the spec's
    assert resolve_ae_term("liver function ABNORMALITY", syn, groups) == \
        "Liver function abnormality"
    assert resolve_ae_term("Hypertension", syn, groups) == "Hypertension"
    assert resolve_ae_term("liver toxicity", syn, groups) is None


def test_default_synonyms_are_normalised_ctcae_targets():
    from oncocohort.canon.ctcae import DEFAULT_SYNONYMS, normalize_term

    for key, target in DEFAULT_SYNONYMS.items():
        assert key == normalize_term(key)
        assert lookup_ctcae_term(target).term == target
    assert resolve_ae_term("Neutropenia") == "Neutrophil count decreased"
    assert resolve_ae_term("Neutropenia", default_synonyms=False) is None


def test_default_synonyms_agree_with_the_safety_derivation():
    safety = pytest.importorskip("oncocohort.derive.safety")
    from oncocohort.canon.ctcae import DEFAULT_SYNONYMS

    assert safety.DEFAULT_SYNONYMS == DEFAULT_SYNONYMS
