"""Code tables: the codes a column holds, mapped onto the canonical codes of its role.

Words are matched ignoring case and blanks (``Partial Response``, ``部分缓解`` -> ``PR``).
Numbers are never given a meaning from habit alone: ``1``/``2`` for sex or vital status is
an open question unless the header says what they mean (``性别(1=男,2=女)``). The one
exception is ``0``/``1`` (and yes/no) in a column named like an event (``Death``,
``是否死亡``, ``OS event``), read as no/yes and stated as a guess; ``censor``/``censored``
columns are read the other way round (1 = censored = alive), also as a guess.
"""

from __future__ import annotations

import unicodedata

from oncocohort.propose._canon import EOT_REASONS, RESPONSE_CODES
from oncocohort.propose.results import Note
from oncocohort.propose.vocabulary import header_codes, normalize_header

__all__ = ["CodeTable", "code_table", "STATUS_CODES"]

#: The canonical vital-status codes.
STATUS_CODES: tuple[str, ...] = ("dead", "alive")

_SEX = {"m": "M", "male": "M", "man": "M", "男": "M", "男性": "M",
        "f": "F", "female": "F", "woman": "F", "女": "F", "女性": "F"}
_RESPONSE = {code.casefold(): code for code in RESPONSE_CODES} | {
    "complete response": "CR", "partial response": "PR", "stable disease": "SD",
    "progressive disease": "PD", "not evaluable": "NE", "not evaluated": "NE",
    "non-cr/non-pd": "NON-CR/NON-PD", "完全缓解": "CR", "部分缓解": "PR", "疾病稳定": "SD",
    "稳定": "SD", "疾病进展": "PD", "进展": "PD", "无法评估": "NE", "不可评估": "NE",
    "未评估": "NE", "非cr/非pd": "NON-CR/NON-PD", "非完全缓解/非疾病进展": "NON-CR/NON-PD",
}
_STATUS = {"alive": "alive", "living": "alive", "censored": "alive", "生存": "alive",
           "存活": "alive", "健在": "alive", "在世": "alive", "活": "alive",
           "dead": "dead", "died": "dead", "deceased": "dead", "death": "dead",
           "死亡": "dead", "已故": "dead", "死": "dead", "已死亡": "dead", "去世": "dead"}
_LOST = {"lost to follow-up", "lost to follow up", "lost", "失访"}
_YES = {"yes", "y", "是", "有", "true", "t"}
_NO = {"no", "n", "否", "无", "false"}
_EOT = {r: r for r in EOT_REASONS} | {
    "pd": "progression", "progressive disease": "progression", "disease progression":
    "progression", "疾病进展": "progression", "进展": "progression", "died": "death",
    "死亡": "death", "toxicity": "adverse event", "ae": "adverse event",
    "不良反应": "adverse event", "毒性": "adverse event", "不良事件": "adverse event",
    "毒副反应": "adverse event", "lost to follow up": "lost to follow-up",
    "失访": "lost to follow-up", "withdrew consent": "withdrawal", "patient refusal":
    "withdrawal", "refusal": "withdrawal", "患者拒绝": "withdrawal", "拒绝": "withdrawal",
    "撤回知情同意": "withdrawal", "physician's decision": "physician decision",
    "医生决定": "physician decision", "其他": "other", "其它": "other",
}
#: Header words that make yes/1 mean "dead", and those that make it mean "alive".
_DEATH_POLAR = ("死亡", "是否死亡", "dead", "death", "died", "deceased", "event", "事件")
_ALIVE_POLAR = ("存活", "是否存活", "alive", "censor", "censored", "删失")


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


class CodeTable:
    """The result of :func:`code_table`: the mapping, and notes (evidence or questions)."""

    __slots__ = ("mapping", "evidence", "open")

    def __init__(self, mapping: dict[str, str | None], evidence: list[Note],
                 open_: bool) -> None:
        self.mapping = mapping
        self.evidence = evidence
        self.open = open_

    @property
    def pairs(self) -> tuple[tuple[str, str | None], ...]:
        return tuple(self.mapping.items())


def _words(codes: tuple[str, ...], table: dict[str, str]) -> dict[str, str | None]:
    return {c: table.get(_key(c)) for c in codes}


def _polarity(header: str) -> str | None:
    norm = normalize_header(header)
    compact = norm.replace(" ", "")
    death = any(w in compact if not w.isascii() else f" {w} " in f" {norm} "
                for w in _DEATH_POLAR)
    alive = any(w in compact if not w.isascii() else f" {w} " in f" {norm} "
                for w in _ALIVE_POLAR)
    if death == alive:
        return None
    return "dead" if death else "alive"


def _status(codes: tuple[str, ...], header: str) -> CodeTable:
    stated = header_codes(header)
    if stated and all(c in stated for c in codes):
        return CodeTable({c: stated[c] for c in codes}, [Note.of("header_codes")], False)
    mapping = _words(codes, _STATUS)
    for c in codes:
        if mapping[c] is None and _key(c) in _LOST:
            mapping[c] = "alive"
    if all(v is not None for v in mapping.values()):
        return CodeTable(mapping, [Note.of("code_words")], False)
    polar = _polarity(header)
    keys = {c: _key(c) for c in codes}
    yes = [c for c in codes if keys[c] in _YES or keys[c] == "1"]
    no = [c for c in codes if keys[c] in _NO or keys[c] == "0"]
    if polar and len(yes) + len(no) == len(codes) and yes and no:
        other = "alive" if polar == "dead" else "dead"
        mapping = {c: (polar if c in yes else other) for c in codes}
        return CodeTable(mapping, [Note.of("yes_no_polarity", meaning=polar)], False)
    return CodeTable({c: mapping.get(c) for c in codes}, [], True)


def _sex(codes: tuple[str, ...], header: str) -> CodeTable:
    stated = header_codes(header)
    if stated and all(c in stated for c in codes):
        return CodeTable({c: stated[c] for c in codes}, [Note.of("header_codes")], False)
    mapping = _words(codes, _SEX)
    return CodeTable(mapping, [Note.of("code_words")] if all(mapping.values()) else [],
                     not all(mapping.values()))


def code_table(role: str, codes: tuple[str, ...], header: str) -> CodeTable | None:
    """The code table of a column of role ``role`` holding ``codes``, else ``None``.

    Examples
    --------
    >>> code_table("sex", ("男", "女"), "性别").mapping
    {'男': 'M', '女': 'F'}
    >>> t = code_table("vital_status", ("1", "2"), "生存状态")
    >>> t.mapping, t.open
    ({'1': None, '2': None}, True)
    >>> code_table("vital_status", ("0", "1"), "Death").mapping
    {'0': 'alive', '1': 'dead'}
    """
    if role == "sex":
        return _sex(codes, header)
    if role == "vital_status":
        return _status(codes, header)
    if role == "best_response":
        mapping = _words(codes, _RESPONSE)
        return CodeTable(mapping, [Note.of("recist_codes")] if all(mapping.values()) else [],
                         not all(mapping.values()))
    if role == "eot_reason":
        mapping = _words(codes, _EOT)
        return CodeTable(mapping, [], not all(mapping.values()))
    return None


def response_share(codes: tuple[str, ...]) -> float:
    """Share of ``codes`` that are response codes or their words (CR, 部分缓解...)."""
    if not codes:
        return 0.0
    return sum(_key(c) in _RESPONSE for c in codes) / len(codes)


def sex_share(codes: tuple[str, ...]) -> float:
    """Share of ``codes`` that are sex words (M, female, 男...)."""
    if not codes:
        return 0.0
    return sum(_key(c) in _SEX for c in codes) / len(codes)


def status_share(codes: tuple[str, ...]) -> float:
    """Share of ``codes`` that are vital-status words (alive, 死亡...)."""
    if not codes:
        return 0.0
    return sum(_key(c) in _STATUS or _key(c) in _LOST for c in codes) / len(codes)
