"""Adverse-event grade columns: ``Fatigue grade``, ``高血压分级``, ``ALT increased (CTCAE)``.

A header with a grade word (``grade``, ``CTCAE``, ``分级``, ``级别``, ``等级``) names the
event in what is left of it; the event is looked up as a CTCAE v5.0 term or synonym (the
model's own lookup, :func:`oncocohort.model.ctcae.resolve_ae_term`), else in
:data:`ZH_TERMS`, the Chinese names of common events.
"""

from __future__ import annotations

import re

from oncocohort.propose._canon import resolve_ae_term, suggest_ctcae_terms
from oncocohort.propose.vocabulary import normalize_header

__all__ = ["ZH_TERMS", "ae_term_of", "grade_words_removed", "is_grade_header"]

#: Chinese names of common adverse events -> CTCAE v5.0 term.
ZH_TERMS: dict[str, str] = {
    "乏力": "Fatigue", "疲乏": "Fatigue", "疲劳": "Fatigue", "高血压": "Hypertension",
    "恶心": "Nausea", "呕吐": "Vomiting", "腹泻": "Diarrhea", "便秘": "Constipation",
    "贫血": "Anemia", "手足综合征": "Palmar-plantar erythrodysesthesia syndrome",
    "手足皮肤反应": "Palmar-plantar erythrodysesthesia syndrome",
    "甲状腺功能减退": "Hypothyroidism", "甲减": "Hypothyroidism",
    "甲状腺功能亢进": "Hyperthyroidism", "甲亢": "Hyperthyroidism", "蛋白尿": "Proteinuria",
    "肺炎": "Pneumonitis", "免疫相关性肺炎": "Pneumonitis", "口腔黏膜炎": "Mucositis oral",
    "口腔炎": "Mucositis oral", "皮疹": "Rash maculo-papular", "瘙痒": "Pruritus",
    "鼻出血": "Epistaxis", "鼻衄": "Epistaxis", "牙龈出血": "Oral hemorrhage",
    "咳嗽": "Cough", "发热": "Fever", "食欲下降": "Anorexia", "食欲减退": "Anorexia",
    "纳差": "Anorexia", "低白蛋白血症": "Hypoalbuminemia",
    "中性粒细胞减少": "Neutrophil count decreased", "白细胞减少": "White blood cell decreased",
    "血小板减少": "Platelet count decreased",
    "谷丙转氨酶升高": "Alanine aminotransferase increased",
    "谷草转氨酶升高": "Aspartate aminotransferase increased",
    "胆红素升高": "Blood bilirubin increased", "肌酐升高": "Creatinine increased",
    "体重下降": "Weight loss", "失眠": "Insomnia", "背痛": "Back pain",
    "声音嘶哑": "Hoarseness", "关节痛": "Arthralgia", "心肌炎": "Myocarditis",
    "结肠炎": "Colitis", "脱发": "Alopecia", "周围神经病变": "Peripheral sensory neuropathy",
}

_GRADE_WORDS = re.compile(r"\b(ctcae|grades?|grading|gr|worst grade|max grade)\b|分级|级别|等级")


def is_grade_header(header: str) -> bool:
    """Whether a header has a grade word (``grade``, ``CTCAE``, ``分级``...)."""
    return _GRADE_WORDS.search(normalize_header(header)) is not None


def grade_words_removed(header: str) -> str:
    """The header without its grade words and blanks at either end: the event's name."""
    text = _GRADE_WORDS.sub(" ", normalize_header(header))
    return " ".join(text.split())


def ae_term_of(name: str) -> str | None:
    """The CTCAE v5.0 term of an event name (English, a synonym, or Chinese), else ``None``.

    >>> ae_term_of("hand-foot syndrome")
    'Palmar-plantar erythrodysesthesia syndrome'
    >>> ae_term_of("高血压")
    'Hypertension'
    """
    if not name:
        return None
    hit = resolve_ae_term(name)
    if hit is not None:
        return hit
    return ZH_TERMS.get(name.replace(" ", ""))


def suggest_terms(name: str) -> list[str]:
    """CTCAE terms close to an English event name, for a question in the spec."""
    return suggest_ctcae_terms(name) if name.isascii() else []
