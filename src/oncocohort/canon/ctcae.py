"""The CTCAE v5.0 term list: case-insensitive lookup and "did you mean" suggestions.

The 837 terms of the NCI Common Terminology Criteria for Adverse Events v5.0 ship with the
package as ``oncocohort/data/ctcae_v5_terms.csv`` (columns ``term``, ``soc``, ``meddra_code``,
``definition``) and are read once through :mod:`importlib.resources`.

Matching is exact apart from letter case and surrounding/repeated white space: ``"fatigue"``
and ``"  FATIGUE "`` are the term ``Fatigue``; ``"Fatigued"`` is not a term, and
:func:`suggest_ctcae_terms` proposes ``Fatigue`` for it (:func:`difflib.get_close_matches`,
ratio cut-off 0.6, on the case-folded names).

References
----------
National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE) v5.0,
27 November 2017.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = [
    "CtcaeTerm",
    "DEFAULT_SYNONYMS",
    "ctcae_terms",
    "lookup_ctcae_term",
    "suggest_ctcae_terms",
    "normalize_term",
    "resolve_ae_term",
]

# Common clinical names and British spellings -> CTCAE v5.0 term. The same table as
# ``oncocohort.derive.safety.DEFAULT_SYNONYMS`` (a test keeps them equal); the spec's
# ``safety.synonyms`` are added on top and win.
DEFAULT_SYNONYMS: dict[str, str] = {
    'anaemia': 'Anemia',
    'diarrhoea': 'Diarrhea',
    'haematuria': 'Hematuria',
    'haemoptysis': 'Bronchopulmonary hemorrhage',
    'oesophagitis': 'Esophagitis',
    'oesophageal fistula': 'Esophageal fistula',
    'oesophageal haemorrhage': 'Esophageal hemorrhage',
    'oedema limbs': 'Edema limbs',
    'hypertriglyceridaemia': 'Hypertriglyceridemia',
    'hyperglycaemia': 'Hyperglycemia',
    'hypokalaemia': 'Hypokalemia',
    'hyponatraemia': 'Hyponatremia',
    'hypoalbuminaemia': 'Hypoalbuminemia',
    'hypercholesterolaemia': 'Cholesterol high',
    'hyperbilirubinaemia': 'Blood bilirubin increased',
    'dysaesthesia': 'Dysesthesia',
    'palmar-plantar erythrodysaesthesia syndrome': 'Palmar-plantar erythrodysesthesia syndrome',
    'hand-foot syndrome': 'Palmar-plantar erythrodysesthesia syndrome',
    'hand-foot skin reaction': 'Palmar-plantar erythrodysesthesia syndrome',
    'hand foot syndrome': 'Palmar-plantar erythrodysesthesia syndrome',
    'hfsr': 'Palmar-plantar erythrodysesthesia syndrome',
    'alt increased': 'Alanine aminotransferase increased',
    'elevated alt': 'Alanine aminotransferase increased',
    'ast increased': 'Aspartate aminotransferase increased',
    'elevated ast': 'Aspartate aminotransferase increased',
    'bilirubin increased': 'Blood bilirubin increased',
    'hyperbilirubinemia': 'Blood bilirubin increased',
    'hypercholesterolemia': 'Cholesterol high',
    'neutropenia': 'Neutrophil count decreased',
    'leukopenia': 'White blood cell decreased',
    'leucopenia': 'White blood cell decreased',
    'thrombocytopenia': 'Platelet count decreased',
    'lymphopenia': 'Lymphocyte count decreased',
    'decreased appetite': 'Anorexia',
    'loss of appetite': 'Anorexia',
    'rash': 'Rash maculo-papular',
    'stomatitis': 'Mucositis oral',
    'oral mucositis': 'Mucositis oral',
    'pyrexia': 'Fever',
    'nosebleed': 'Epistaxis',
    'hemoptysis': 'Bronchopulmonary hemorrhage',
    'pneumonia': 'Lung infection',
    'asthenia': 'Fatigue',
    'weight decreased': 'Weight loss',
    'immune-related pneumonitis': 'Pneumonitis',
}


@dataclass(frozen=True)
class CtcaeTerm:
    """One CTCAE v5.0 term with its MedDRA system organ class and code."""

    term: str
    soc: str
    meddra_code: str


def normalize_term(text: str) -> str:
    """Case-fold ``text`` and collapse white space: the key used for every term comparison."""
    return " ".join(str(text).split()).casefold()


@lru_cache(maxsize=1)
def _load() -> tuple[CtcaeTerm, ...]:
    raw = resources.files("oncocohort").joinpath("data/ctcae_v5_terms.csv").read_text("utf-8")
    reader = csv.DictReader(io.StringIO(raw))
    return tuple(CtcaeTerm(r["term"], r["soc"], r["meddra_code"]) for r in reader)


@lru_cache(maxsize=1)
def _index() -> dict[str, CtcaeTerm]:
    return {normalize_term(t.term): t for t in _load()}


def ctcae_terms() -> tuple[CtcaeTerm, ...]:
    """All CTCAE v5.0 terms, in the order of the NCI spreadsheet (grouped by SOC).

    Examples
    --------
    >>> len(ctcae_terms())
    837
    """
    return _load()


def lookup_ctcae_term(text: str) -> CtcaeTerm | None:
    """The CTCAE v5.0 term spelled ``text`` (ignoring case and white space), else ``None``.

    Examples
    --------
    >>> lookup_ctcae_term("alanine aminotransferase INCREASED").term
    'Alanine aminotransferase increased'
    >>> lookup_ctcae_term("ALT increased") is None
    True
    """
    return _index().get(normalize_term(text))


def suggest_ctcae_terms(text: str, n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to ``n`` CTCAE v5.0 terms closest to ``text`` (best first), for "did you mean".

    Similarity is :class:`difflib.SequenceMatcher`'s ratio ``2 M / T`` on the case-folded
    names (``M`` matched characters, ``T`` total characters of both); terms below ``cutoff``
    are not proposed.

    Examples
    --------
    >>> suggest_ctcae_terms("Fatige")
    ['Fatigue']
    """
    idx = _index()
    keys = difflib.get_close_matches(normalize_term(text), list(idx), n=n, cutoff=cutoff)
    return [idx[k].term for k in keys]


def resolve_ae_term(
    text: str,
    synonyms: Mapping[str, str] | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    *,
    default_synonyms: bool = True,
) -> str | None:
    """The CTCAE v5.0 term (or spec group name) a recorded AE term stands for, else ``None``.

    Tried in order, each ignoring case and white space: a CTCAE v5.0 term; a key of
    ``synonyms`` (``safety.synonyms``: recorded term -> CTCAE term; the target is returned,
    spelled as CTCAE spells it when it is a CTCAE term), then of :data:`DEFAULT_SYNONYMS`
    unless ``default_synonyms`` is false; a name of ``groups`` (``safety.groups``),
    returned as the spec spells it.

    Examples
    --------
    >>> resolve_ae_term("hand-foot syndrome",
    ...                 {"Hand-Foot Syndrome": "palmar-plantar erythrodysesthesia syndrome"})
    'Palmar-plantar erythrodysesthesia syndrome'
    >>> resolve_ae_term("nausea and vomiting", groups={"Nausea and vomiting": ["Nausea"]})
    'Nausea and vomiting'
    >>> resolve_ae_term("Neutropenia")
    'Neutrophil count decreased'
    >>> resolve_ae_term("tiredness") is None
    True
    """
    hit = lookup_ctcae_term(text)
    if hit is not None:
        return hit.term
    key = normalize_term(text)
    for recorded, target in (synonyms or {}).items():
        if normalize_term(recorded) == key:
            canonical = lookup_ctcae_term(target)
            return canonical.term if canonical else target
    if default_synonyms and key in DEFAULT_SYNONYMS:
        return DEFAULT_SYNONYMS[key]
    for name in groups or {}:
        if normalize_term(name) == key:
            return name
    return None
