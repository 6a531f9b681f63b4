"""Headers that name direct identifiers or free text, in English and Simplified Chinese.

A column whose header says it holds a person's name, phone number, national ID number,
address, e-mail or other contact, or free text (remarks, history: text that can name people
and places) must not reach an analysis output. ``oncocohort init`` leaves such columns out of
the spec it proposes (:mod:`oncocohort.propose.vocabulary` takes its terms from here), and
reading a source warns about each one the file holds (:mod:`oncocohort.sources.mapping`): it
is ignored unless the spec names it, and then the warning says it will be written.

A header is normalised (Unicode NFKC, case-folded, separators as single blanks:
:func:`normalize_header`) and matches a term when it is the term, or contains it: an English
term as whole words (``Patient name`` contains ``name``; ``dose`` does not contain ``os``), a
Chinese term anywhere (``患者姓名`` contains ``姓名``). A few short English terms that are also
parts of ordinary clinical headers (``contact`` in "date of last contact", ``tel``) match only
as the whole header.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["IDENTIFIER_TERMS", "FREE_TEXT_TERMS", "EXACT_ONLY", "identifier_kind",
           "header_has_term", "normalize_header"]

#: kind of direct identifier -> header terms (English, Chinese).
IDENTIFIER_TERMS: dict[str, tuple[str, ...]] = {
    "a name": (
        "name", "patient name", "full name", "first name", "last name", "surname",
        "given name", "initials", "姓名", "患者姓名", "名字", "病人姓名",
    ),
    "a phone number": (
        "phone", "telephone", "tel", "mobile", "phone number", "contact number", "cell phone",
        "电话", "手机", "联系电话", "手机号", "联系方式", "电话号码", "手机号码", "家属电话",
    ),
    "a national ID or insurance number": (
        "national id", "id card", "identity card", "ssn", "social security number", "passport",
        "passport number", "nhs number", "insurance number",
        "身份证", "身份证号", "身份证号码", "证件号", "证件号码", "医保号", "医保卡号",
    ),
    "an address": (
        "address", "home address", "street", "postcode", "zip code",
        "住址", "地址", "家庭住址", "联系地址", "户籍",
    ),
    "an e-mail address or other contact": (
        "email", "e mail", "contact", "邮箱", "电子邮件", "联系人", "家属",
    ),
}

#: Header terms of free text (remarks, notes, history), which may name people and places.
FREE_TEXT_TERMS: tuple[str, ...] = (
    "remarks", "remark", "notes", "note", "comment", "comments", "description",
    "details", "history", "diagnosis", "备注", "说明", "描述", "病史", "现病史", "主诉",
    "诊断", "出院诊断", "其他",
)

#: Terms that identify a column only as its whole header (as parts they are too common).
EXACT_ONLY: frozenset[str] = frozenset({"contact", "tel", "history", "diagnosis", "details",
                                        "description", "note", "其他", "诊断", "说明"})

_SEPARATORS = re.compile(r"[\s_\-./:()\[\]{}<>,;|\\*?!'\"`~=+]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def normalize_header(header: str) -> str:
    """NFKC, case-folded, separators turned into single blanks, stripped.

    >>> normalize_header("Date of death (dd/mm/yyyy)")
    'date of death dd mm yyyy'
    >>> normalize_header("OS（月）")
    'os 月'
    """
    text = unicodedata.normalize("NFKC", str(header)).casefold()
    return _SEPARATORS.sub(" ", text).strip()


def header_has_term(norm: str, term: str) -> bool:
    """A normalised header contains a normalised term: a Chinese term anywhere, a Latin term
    as whole words (a CJK neighbour counts as a word boundary: ``ecog评分``)."""
    if _CJK.search(term):
        return term.replace(" ", "") in norm.replace(" ", "")
    return re.search(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", norm) is not None


def identifier_kind(header: str) -> str | None:
    """What a header says its column holds, when that is a direct identifier or free text.

    Returns the kind (``"a name"``, ``"a phone number"``, ``"a national ID or insurance
    number"``, ``"an address"``, ``"an e-mail address or other contact"``, ``"free text"``)
    or ``None``.

    >>> identifier_kind("患者姓名"), identifier_kind("Phone number"), identifier_kind("ECOG")
    ('a name', 'a phone number', None)
    >>> identifier_kind("Date of last contact") is None
    True
    """
    norm = normalize_header(header)
    if not norm:
        return None
    kinds = [*IDENTIFIER_TERMS.items(), ("free text", FREE_TEXT_TERMS)]
    for kind, terms in kinds:
        for term in terms:
            t = normalize_header(term)
            if norm == t or (t not in EXACT_ONLY and header_has_term(norm, t)):
                return kind
    return None
