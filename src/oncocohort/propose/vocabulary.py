"""Header vocabulary: the names clinicians give columns, in English and Simplified Chinese.

Each role of :mod:`oncocohort.propose.roles` has a list of terms. A header is normalised
(Unicode NFKC, so full-width ``（）：`` become ``():``; case-folded; ``_ - . / : ( ) [ ]``
and the like turned into blanks) and compared with every term:

* ``exact`` (strength 1.0): the normalised header is the term (``"Patient ID"``, ``住院号``);
* ``contains`` (strength 0.85): an English term is a run of whole words of the header
  (``"Date of death (dd/mm/yyyy)"`` contains ``date of death``), a Chinese term a part of it
  (``末次随访日期`` contains ``末次随访``); 0.6 when a Chinese term covers less than half of
  the header (``分组`` in ``既往治疗史分组`` is weak evidence of a treatment group).

English terms match whole words only (``os`` is not in ``dose``). The longest
matching term wins within a role, so ``末次随访日期`` is ``last_alive_date`` by its whole
name, not by ``随访``. The content of the column then confirms or overrules the header
(:mod:`oncocohort.propose.engine`).

Headers may also state their codes (``性别(1=男,2=女)``, ``Status (0=alive, 1=dead)``):
:func:`header_codes` reads such annotations.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from oncocohort.canon.identifiers import FREE_TEXT_TERMS, IDENTIFIER_TERMS, normalize_header

__all__ = ["HEADER_TERMS", "HeaderMatch", "header_codes", "match_header", "normalize_header"]

#: role -> terms (English and Chinese). Covariate roles name the variable they propose.
HEADER_TERMS: dict[str, tuple[str, ...]] = {
    "subject_id": (
        "patient id", "subject id", "id", "patient no", "patient number", "pt id", "study id",
        "case id", "case no", "case number", "record number", "mrn", "medical record number",
        "hospital number", "hospital id", "chart number", "pid", "patient code", "subject",
        "usubjid", "subjid",
        "住院号", "病案号", "病历号", "患者编号", "病人编号", "患者id", "登记号", "门诊号",
        "研究编号", "受试者编号", "编号", "id号", "档案号", "就诊号", "患者序号",
    ),
    "index_date": (
        "treatment start date", "start date", "start of treatment", "treatment start",
        "date of treatment start", "index date", "first dose date", "date of first dose",
        "first dose", "c1d1", "treatment initiation", "initiation date",
        "date of first treatment", "start", "treatment date", "trtsdt", "trtsdtm",
        "治疗开始日期", "开始治疗日期", "治疗开始时间", "开始治疗时间", "首次用药日期",
        "首次治疗日期", "用药开始日期", "开始日期", "起始日期", "入组日期", "基线日期",
        "治疗日期", "用药日期", "开始用药时间",
    ),
    "birth_date": (
        "date of birth", "birth date", "dob", "birthday", "born", "birthdate", "brthdt",
        "出生日期", "出生年月", "出生年月日", "生日", "出生时间",
    ),
    "age": (
        "age", "age years", "age at diagnosis", "age at treatment start", "age at baseline",
        "age at index", "年龄", "年龄 岁", "岁",
    ),
    "sex": ("sex", "gender", "性别"),
    "ecog": (
        "ecog", "ecog ps", "ps", "performance status", "ecog score", "ecog performance status",
        "who ps", "zubrod", "ecog评分", "ps评分", "体能状态", "体力状态", "体能评分",
        "体力状况", "体力状态评分", "ecog体能状态",
    ),
    "last_alive_date": (
        "last follow up", "last follow up date", "date of last follow up", "last contact",
        "last contact date", "date of last contact", "last known alive", "lstalvdt",
        "date last known alive", "last alive", "last alive date", "last visit", "last seen",
        "follow up date", "fu date", "last fu", "date of last visit",
        "末次随访", "末次随访日期", "末次随访时间", "最后随访", "最后随访日期", "随访日期",
        "随访截止日期", "末次联系日期", "最后联系日期", "末次就诊日期", "随访时间",
    ),
    "death_date": (
        "date of death", "death date", "dod", "died on", "date died", "death", "dthdt",
        "死亡日期", "死亡时间", "死亡",
    ),
    "vital_status": (
        "status", "vital status", "survival status", "alive", "dead", "death", "deceased",
        "os status", "os event", "event", "censor", "censored", "outcome", "alive or dead",
        "died", "生存状态", "生存情况", "是否死亡", "死亡", "结局", "转归", "随访状态",
        "生存结局", "os状态", "os事件", "状态", "存活", "是否存活",
    ),
    "eot_date": (
        "end of treatment", "end of treatment date", "eot", "eot date", "treatment end date",
        "stop date", "date of last dose", "last dose date", "discontinuation date",
        "treatment end", "治疗结束日期", "结束治疗日期", "停药日期", "末次用药日期",
        "末次治疗日期", "治疗结束时间", "停药时间",
    ),
    "eot_reason": (
        "eot reason", "reason for discontinuation", "discontinuation reason",
        "reason for end of treatment", "reason off treatment", "end of treatment reason",
        "停药原因", "结束治疗原因", "治疗结束原因", "终止原因", "停止治疗原因",
    ),
    "progression_date": (
        "progression date", "date of progression", "pd date", "date of pd", "progression",
        "pfs date", "recurrence date", "relapse date", "date of recurrence",
        "date of relapse", "进展日期", "疾病进展日期", "进展时间", "复发日期", "复发时间",
        "pd日期", "pd时间", "进展",
    ),
    "best_response": (
        "best response", "best overall response", "bor", "response", "tumour response",
        "tumor response", "objective response", "recist", "best response recist",
        "最佳疗效", "最佳总体疗效", "最佳缓解", "疗效", "疗效评价", "近期疗效", "最佳反应",
        "最佳疗效评价",
    ),
    "data_cutoff": ("data cutoff", "cutoff date", "data cut off", "数据截止日期", "截止日期"),
    "derived": (
        "os", "pfs", "os months", "pfs months", "overall survival", "progression free survival",
        "survival time", "follow up time", "time to progression", "ttp", "dfs", "efs",
        "os time", "pfs time", "pfs status", "pfs event", "progressed",
        "总生存期", "生存期", "无进展生存期", "生存时间", "随访时长", "总生存时间",
        "无进展生存时间", "pfs状态", "pfs事件", "是否进展", "随访时间",
    ),
    # direct identifiers and free text: the vocabulary the readers warn with (canon)
    "identifier": tuple(t for terms in IDENTIFIER_TERMS.values() for t in terms),
    "free_text": FREE_TEXT_TERMS,
    "ae_text": (
        "adverse events", "adverse event", "ae", "aes", "toxicity", "toxicities",
        "side effects", "不良反应", "不良事件", "毒副反应", "副作用", "毒性反应",
    ),
    "row_number": ("no", "number", "#", "row", "seq", "serial number", "s n", "序号", "行号"),
    # covariates with a conventional variable name
    "histology": (
        "histology", "histological type", "pathology", "pathological type", "histotype",
        "病理类型", "病理", "组织学类型", "病理诊断", "组织学分型", "病理分型",
    ),
    "stage": ("stage", "clinical stage", "tnm stage", "tnm", "分期", "临床分期", "tnm分期"),
    "regimen": (
        "regimen", "treatment", "arm", "group", "treatment arm", "treatment group", "therapy",
        "治疗方案", "方案", "组别", "分组", "治疗组", "用药方案",
    ),
    "primary_site": ("primary site", "tumour site", "tumor site", "tumor location",
                     "原发部位", "肿瘤部位", "病变部位"),
    "kps": ("kps", "karnofsky", "karnofsky score", "卡氏评分", "卡式评分", "kps评分"),
    "smoking": ("smoking", "smoker", "smoking history", "吸烟", "吸烟史"),
    "drinking": ("alcohol", "drinking", "饮酒", "饮酒史"),
    "bmi": ("bmi", "body mass index", "体重指数"),
    "weight": ("weight", "body weight", "体重"),
    "prior_lines": ("prior lines", "lines of prior therapy", "previous lines",
                    "既往治疗线数", "治疗线数", "线数"),
    "n_metastatic_sites": ("metastatic sites", "number of metastatic sites",
                           "转移部位数", "转移器官数"),
    "liver_metastases": ("liver metastases", "liver metastasis", "肝转移"),
    "brain_metastases": ("brain metastases", "brain metastasis", "脑转移"),
    "bone_metastases": ("bone metastases", "bone metastasis", "骨转移"),
    "lung_metastases": ("lung metastases", "lung metastasis", "肺转移"),
    "prior_surgery": ("prior surgery", "previous surgery", "surgery", "既往手术", "手术史"),
    "radiotherapy": ("radiotherapy", "radiation", "放疗", "联合放疗"),
    "prior_ici": ("prior ici", "prior immunotherapy", "previous immunotherapy",
                  "既往免疫治疗"),
    "pd_l1": ("pd l1", "pdl1", "pd l1 tps", "pd l1 cps", "tps", "cps"),
    "diagnosis_date": ("diagnosis date", "date of diagnosis", "诊断日期", "确诊日期",
                       "诊断时间", "确诊时间"),
    "surgery_date": ("surgery date", "date of surgery", "operation date", "手术日期",
                     "手术时间"),
}

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _compact(text: str) -> str:
    return text.replace(" ", "")


@dataclass(frozen=True)
class HeaderMatch:
    """A role suggested by a header: the role, the term matched and its strength."""

    role: str
    term: str
    strength: float


def _contains(header: str, term: str) -> bool:
    """A Chinese term anywhere in the header; a Latin term as whole words (a CJK neighbour
    counts as a word boundary: ``ecog评分``, ``os状态``)."""
    if _CJK.search(term):
        return _compact(term) in _compact(header)
    return re.search(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", header) is not None


def _coverage(header: str, term: str) -> float:
    """Share of a Chinese header's characters the term covers (1 for English terms)."""
    if not _CJK.search(term):
        return 1.0
    return len(_compact(term)) / max(1, len(_compact(header)))


def match_header(header: str) -> list[HeaderMatch]:
    """Every role a header suggests, strongest (then longest term) first.

    Examples
    --------
    >>> [(m.role, m.strength) for m in match_header("Patient ID")][:1]
    [('subject_id', 1.0)]
    >>> match_header("末次随访日期")[0].role
    'last_alive_date'
    """
    norm = normalize_header(header)
    if not norm:
        return []
    best: dict[str, HeaderMatch] = {}
    for role, terms in HEADER_TERMS.items():
        for term in terms:
            t = normalize_header(term)
            if norm == t or _compact(norm) == _compact(t) and _CJK.search(t):
                strength = 1.0
            elif _contains(norm, t):
                strength = 0.85 if _coverage(norm, t) >= 0.5 else 0.6
            else:
                continue
            old = best.get(role)
            if old is None or (strength, len(t)) > (old.strength, len(old.term)):
                best[role] = HeaderMatch(role, t, strength)
    return sorted(best.values(), key=lambda m: (-m.strength, -len(m.term), m.role))


_CODE_WORDS = {
    "男": "M", "male": "M", "m": "M", "女": "F", "female": "F", "f": "F",
    "死亡": "dead", "死": "dead", "dead": "dead", "died": "dead", "death": "dead",
    "deceased": "dead", "事件": "dead", "event": "dead",
    "生存": "alive", "存活": "alive", "活": "alive", "alive": "alive", "censored": "alive",
    "删失": "alive", "失访": "alive",
}
_ANNOTATION = re.compile(
    r"(\d+)\s*[=:：为是\-]?\s*(男|女|死亡|死|生存|存活|活|删失|失访|事件|male|female|"
    r"dead|died|death|deceased|alive|censored|event|m|f)(?![a-z])",
)


def header_codes(header: str) -> dict[str, str]:
    """Codes a header states, e.g. ``性别(1=男,2=女)`` -> ``{"1": "M", "2": "F"}``.

    Only ``<number>[=:] <word>`` pairs for sex and vital status are read; the words map to
    ``M``/``F`` or ``dead``/``alive``. Anything else gives ``{}``.

    >>> header_codes("生存状态（0=存活，1=死亡）")
    {'0': 'alive', '1': 'dead'}
    >>> header_codes("Sex (1=male, 2=female)")
    {'1': 'M', '2': 'F'}
    """
    text = unicodedata.normalize("NFKC", str(header)).casefold()
    found: dict[str, str] = {}
    for number, word in _ANNOTATION.findall(text):
        found.setdefault(str(int(number)), _CODE_WORDS[word])
    return found
