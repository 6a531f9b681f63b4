"""The commented ``study.yaml`` a proposal becomes (text only; writing it is the caller's job).

The spec reads as a checklist. Its head lists the open questions (TODO) and the columns left
out with the reason (direct identifiers, free text, outcomes already computed); the source
lists those under ``ignore_columns``, so that they reach no dataset, and reads past a title
above the header with ``header_row``. Every mapped
column carries a comment: ``sure:`` with the evidence, or ``GUESS:`` with the evidence and
the confidence. Where an answer is needed in the YAML itself (the meaning of code ``1``) the
value is the placeholder ``TODO``, which the spec's own checks reject, so that ``oncocohort
validate`` lists exactly the questions still open, each at its place.

The starting analysis fits the data found (:mod:`oncocohort.propose.analysis`), or follows
the choices a person made in the web app (:class:`~oncocohort.propose.analysis.
AnalysisChoices`).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from oncocohort.canon.formats import DEFAULT_JOURNAL_STYLE, TODO
from oncocohort.propose.ae import grade_words_removed, is_grade_header
from oncocohort.propose.analysis import (
    ENDPOINTS,
    AnalysisChoices,
    SubgroupProposal,
    available_endpoints,
    baseline_variables,
    categorical_levels,
    default_landmarks,
    propose_subgroups,
)
from oncocohort.propose.messages import DATE_STYLES, WARNINGS, describe, role_label
from oncocohort.propose.results import ColumnProposal, Note, SheetProposal
from oncocohort.propose.roles import ROLES
from oncocohort.propose.todos import REQUIRED_ROLES, open_todos

__all__ = ["TODO", "SpecText", "display_width", "render_study_yaml"]

#: The placeholder of an answer still to give; the spec's checks reject it.
_COMMENT_COLUMN = 44

_TEXT = {
    "en": {
        "head": "Study spec proposed by `oncocohort init` from {file}{sheet}.",
        "howto": ["Check every GUESS, answer every TODO, then:",
                  "  oncocohort validate study.yaml    # lists the TODOs still open",
                  "  oncocohort run study.yaml --out results"],
        "legend": "sure: a clear header whose cells agree. GUESS: a likely reading; check it.",
        "todos": "Open questions (TODO):",
        "left_out": "Left out (not read into the analysis):",
        "none_left": "Nothing left out.",
        "name": "the report's title; change it as you like",
        "cutoff": "GUESS: the latest date in the sheet; set your data cut-off",
        "cutoff_none": "TODO: no date found; set your data cut-off",
        "one_row": "one row per patient",
        "with_ae": "one row per patient, with adverse-event grade columns",
        "date_format": "text dates written {style} ({columns})",
        "encoding": "the file is not UTF-8",
        "ae_unknown": "TODO: not a CTCAE v5.0 term; add safety: "
                      "{{synonyms: {{\"{term}\": <CTCAE term>}}}}",
        "ae_related": "set true if these grades are of treatment-related events",
        "os": "death is the event; alive patients are censored at their last follow-up",
        "pfs": "progression or death; without tumour assessments, censored at last "
               "follow-up",
        "landmarks": "survival reported at these times (months)",
        "journal_style": "the house style of every number, table and figure",
        "baseline": "Table 1 rows",
        "median_cut": "cut at the median ({median:g})",
        "ecog_cut": "ECOG 0 versus 1 or more",
        "variables": "labels and value labels: your workbook's words",
        "reasons": {"identifier": "direct identifier", "free_text": "free text",
                    "derived": "already computed; survival is computed from the dates",
                    "ignore": "not used",
                    "covariate_date": "another date, not used by the analysis"},
        "ignored": "not read: they reach no dataset",
        "status": "a patient coded dead died on the last follow-up date",
        "recorded_response": "response as recorded by the investigators (best response, "
                             "ORR, DCR), not derived from lesion measurements",
        "no_death": "TODO: the date of death, or map vital_status (alive/dead) instead",
    },
    "zh": {
        "head": "由 `oncocohort init` 根据 {file}{sheet} 生成的研究配置。",
        "howto": ["请核对每一个 GUESS（推测），回答每一个 TODO（待定），然后运行：",
                  "  oncocohort validate study.yaml    # 列出仍未解决的 TODO",
                  "  oncocohort run study.yaml --out results"],
        "legend": "sure：表头明确且内容一致。GUESS：可能的理解，请核对。",
        "todos": "待定问题（TODO）：",
        "left_out": "未纳入分析的列：",
        "none_left": "所有列均已使用。",
        "name": "报告标题，可自行修改",
        "cutoff": "GUESS：表中最晚的日期；请填写数据截止日期",
        "cutoff_none": "TODO：未找到日期；请填写数据截止日期",
        "one_row": "每行一位患者",
        "with_ae": "每行一位患者，含不良事件分级列",
        "date_format": "文本日期的写法：{style}（{columns}）",
        "encoding": "文件不是 UTF-8 编码",
        "ae_unknown": "TODO：不是 CTCAE v5.0 术语；请添加 safety: "
                      "{{synonyms: {{\"{term}\": <CTCAE 术语>}}}}",
        "ae_related": "若这些分级为治疗相关事件，请改为 true",
        "os": "以死亡为事件；存活患者在末次随访时删失",
        "pfs": "以进展或死亡为事件；无影像评估时在末次随访时删失",
        "landmarks": "报告这些时间点（月）的生存率",
        "journal_style": "所有数字、表格与图的期刊格式",
        "baseline": "表 1 的行",
        "median_cut": "按中位数（{median:g}）分组",
        "ecog_cut": "ECOG 0 与 ≥1",
        "variables": "显示标签与取值标签：您工作簿中的用词",
        "reasons": {"identifier": "直接身份标识", "free_text": "自由文本",
                    "derived": "已计算的结果；生存期将根据日期计算", "ignore": "不使用",
                    "covariate_date": "其他日期，分析未用"},
        "ignored": "不读取：不进入任何数据集",
        "status": "编码为死亡的患者，死亡日期为末次随访日期",
        "recorded_response": "疗效按研究者记录分析（最佳疗效、ORR、DCR），不由病灶测量推导",
        "no_death": "TODO：死亡日期，或改为对应 vital_status（存活/死亡）",
    },
}


@dataclass(frozen=True)
class SpecText:
    """The rendered spec and what it holds: the text, its open TODOs (those of
    :func:`~oncocohort.propose.todos.open_todos` first, in order, then the spec's own), the
    columns left out."""

    text: str
    todos: tuple[str, ...]
    left_out: tuple[str, ...]


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(str(text), ensure_ascii=False)


def display_width(text: str) -> int:
    """Columns the text takes in a monospaced editor (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _line(indent: int, body: str, comment: str | None = None) -> str:
    text = " " * indent + body
    if comment:
        text += " " * max(0, _COMMENT_COLUMN - 1 - display_width(text)) + " # " + comment
    return text


def _why(col: ColumnProposal, lang: str) -> str:
    """The first two notes of the evidence, and every warning (:data:`WARNINGS`)."""
    first = describe(col.evidence[0], lang) if col.evidence else ""
    rest = [describe(n, lang) for i, n in enumerate(col.evidence[1:], 1)
            if i < 2 or n.code in WARNINGS]
    why = "; ".join([first, *rest]) if first else ""
    if col.level == "sure":
        return f"sure: {why}" if why else "sure"
    return f"GUESS ({col.confidence:.2f}): {why}"


def _code_value(target: str | None) -> str:
    return _q(TODO) if target is None else _q(target)


def _event_name(header: str) -> str:
    return grade_words_removed(header) if is_grade_header(header) else " ".join(header.split())


def _values_lines(sheet: SheetProposal, mapped: list[ColumnProposal], lang: str
                  ) -> list[str]:
    coded = [c for c in mapped if c.codes and any(k != v for k, v in c.codes)]
    if not coded:
        return []
    todos = {x.position: x for x in open_todos(sheet)}
    lines = [_line(4, "values:")]
    for c in coded:
        pairs = ", ".join(f"{_q(k)}: {_code_value(v)}" for k, v in c.codes)
        note = None
        if any(v is None for _, v in c.codes) and c.position in todos:
            note = "TODO: " + describe(todos[c.position].note, lang)
        lines.append(_line(6, f"{c.variable}: {{{pairs}}}", note))
    return lines


def _date_format_lines(mapped: list[ColumnProposal], t: dict, lang: str) -> list[str]:
    formats: dict[str, list[ColumnProposal]] = {}
    for c in mapped:
        if c.date_format and ROLES[c.role].kind == "date":
            formats.setdefault(c.date_format, []).append(c)
    if len(formats) != 1:  # none needed, or a question (two formats in one sheet)
        return []
    (fmt, cols), = formats.items()
    style = cols[0].content.dates.style if cols[0].content.dates else ""
    words = DATE_STYLES.get(lang, DATE_STYLES["en"]).get(style, style)
    return [_line(4, f"date_format: {_q(fmt)}", t["date_format"].format(
        style=words, columns=", ".join(c.header for c in cols)))]


def _ae_lines(grades: list[ColumnProposal], t: dict, lang: str) -> list[str]:
    if not grades:
        return []
    lines = [_line(4, "ae_grades:")]
    for c in grades:
        term = c.ae_term or _event_name(c.header)
        why = _why(c, lang) if c.ae_term else t["ae_unknown"].format(term=term)
        lines.append(_line(6, f"{_q(term)}: {_q(c.header)}", why))
    return lines + [_line(4, "ae_related: null", t["ae_related"])]


def _source_lines(sheet: SheetProposal, spec_file: str, t: dict, lang: str) -> list[str]:
    mapped = [c for c in sheet.columns
              if c.variable and ROLES[c.role].group in ("patients", "status", "covariate")]
    grades = [c for c in sheet.columns if c.role == "ae_grade"]
    key = "wide" if grades else "patients"
    lines = ["sources:", _line(2, f"{key}:", t["with_ae"] if grades else t["one_row"]),
             _line(4, f"file: {_q(spec_file)}")]
    if sheet.sheet is not None:
        lines.append(_line(4, f"sheet: {_q(sheet.sheet)}"))
    if sheet.encoding:
        lines.append(_line(4, f"encoding: {_q(sheet.encoding)}", t["encoding"]))
    if sheet.title_rows:
        lines.append(_line(4, f"header_row: {sheet.header_row}", describe(Note.of(
            "title_rows", header_row=sheet.header_row,
            rows=", ".join(map(str, sheet.title_rows))), lang)))
    ignored = [c.header for c in sheet.columns if c.level == "left_out"]
    if ignored:
        lines.append(_line(4, f"ignore_columns: [{', '.join(_q(h) for h in ignored)}]",
                           t["ignored"]))
    lines.append(_line(4, "columns:"))
    for c in mapped:
        why = _why(c, lang)
        if c.role == "vital_status":
            why += "; " + t["status"]
        elif c.role == "best_response":
            why += "; " + t["recorded_response"]
        lines.append(_line(6, f"{c.variable}: {_q(c.header)}", why))
    roles = {c.role for c in sheet.columns}
    missing = [r for r in REQUIRED_ROLES if r not in roles]
    missing += ["age"] if not roles & {"age", "birth_date"} else []
    lines += [_line(6, f"{r}: {_q(TODO)}", f"TODO: {role_label(r, lang)}") for r in missing]
    if not roles & {"death_date", "vital_status"}:
        lines.append(_line(6, f"death_date: {_q(TODO)}", t["no_death"]))
    return (lines + _values_lines(sheet, mapped, lang) + _date_format_lines(mapped, t, lang)
            + _ae_lines(grades, t, lang))


def _subgroup_line(sg: SubgroupProposal, label: str, t: dict) -> tuple[str, str | None]:
    body = f"variable: {sg.variable}, label: {_q(label)}"
    if not sg.cut:
        return f"{{{body}}}", None
    cut = ", ".join(f"{c:g}" for c in sg.cut)
    labels = ", ".join(_q(x) for x in sg.labels)
    comment = t["median_cut"].format(median=sg.median) if sg.median is not None \
        else t["ecog_cut"]
    return f"{{{body}, derive: {{from: {sg.source}, cut: [{cut}], labels: [{labels}]}}}}", \
        comment


def _variables_lines(sheet: SheetProposal, choices: AnalysisChoices, baseline: Sequence[str],
                     subgroups: Sequence[SubgroupProposal], t: dict, lang: str) -> list[str]:
    """``variables:``: each Table 1 variable's label (its header, or the one a person typed),
    its value labels (the workbook's words, or those typed in the code tables) in the order
    shown, and the reference level chosen for its Cox terms; the reference group chosen for
    each of ``subgroups`` cut from a number."""
    labels = {c.variable: c.label for c in sheet.columns
              if ROLES[c.role].group == "covariate" and c.variable and c.label
              and c.label != c.variable}
    labels.update({v: x for v, x in choices.labels.items() if v in baseline and x})
    levels = categorical_levels(sheet, lang)
    entries = []
    for v in baseline:
        parts = [f"label: {_q(labels[v])}"] if v in labels else []
        typed = choices.values.get(v, {})
        named = [(code, typed.get(code) or label) for code, label in levels.get(v, ())]
        if any(code != label for code, label in named):
            parts.append("values: {" + ", ".join(f"{_q(c)}: {_q(x)}" for c, x in named) + "}")
        reference = choices.references.get(v)
        if reference is not None and reference in dict(named):
            parts.append(f"reference: {_q(reference)}")
        if parts:
            entries.append(_line(2, f"{v}: {{{', '.join(parts)}}}"))
    for sg in subgroups:
        reference = choices.references.get(sg.variable)
        if sg.cut and reference in sg.labels:
            entries.append(_line(2, f"{sg.variable}: {{reference: {_q(reference)}}}"))
    return [_line(0, "variables:", t["variables"]), *entries] if entries else []


def _analysis_lines(sheet: SheetProposal, choices: AnalysisChoices, t: dict, lang: str
                    ) -> list[str]:
    allowed = available_endpoints(sheet)
    chosen = [e for e in (choices.endpoints or allowed) if e in allowed] or ["os"]
    lines = ["endpoints:"]
    for name in chosen:
        label, events, censor = ENDPOINTS[name]
        lines += [_line(2, f"{name}:", t[name]), _line(4, f"label: {label}"),
                  _line(4, "start: index"), _line(4, f"events: [{', '.join(events)}]"),
                  _line(4, f"censor: [{', '.join(censor)}]")]
    landmarks = default_landmarks(sheet) if choices.landmarks is None else choices.landmarks
    if landmarks:
        lines.append(_line(0, f"landmarks: [{', '.join(f'{m:g}' for m in landmarks)}]",
                           t["landmarks"]))
    baseline = baseline_variables(sheet)
    flow = f"baseline: [{', '.join(baseline)}]"
    if baseline and display_width(flow) <= _COMMENT_COLUMN + 20:
        lines.append(_line(0, flow, t["baseline"]))
    elif baseline:
        lines.append(_line(0, "baseline:", t["baseline"]))
        lines += [_line(2, f"- {name}") for name in baseline]
    subgroups = [sg for sg in propose_subgroups(sheet)
                 if choices.subgroups is None or sg.variable in choices.subgroups]
    lines += _variables_lines(sheet, choices, baseline, subgroups, t, lang)
    if subgroups:
        lines.append("subgroups:")
        for sg in subgroups:
            body, comment = _subgroup_line(sg, choices.labels.get(sg.variable) or sg.label, t)
            lines.append(_line(2, f"- {body}", comment))
    if choices.journal_style not in (None, DEFAULT_JOURNAL_STYLE):
        lines += ["outputs:", _line(2, f"journal_style: {choices.journal_style}",
                                    t["journal_style"])]
    return lines


def _head(sheet: SheetProposal, todos: Sequence[str], left: Sequence[str], t: dict
          ) -> list[str]:
    sheet_text = f", sheet {sheet.sheet}" if sheet.sheet else ""
    lines = ["# " + t["head"].format(file=sheet.file, sheet=sheet_text)]
    lines += ["# " + x for x in t["howto"]]
    lines += ["# " + t["legend"], "#"]
    if todos:
        lines.append("# " + t["todos"])
        lines += [f"#   {i}. {x}" for i, x in enumerate(todos, 1)]
        lines.append("#")
    lines.append("# " + (t["left_out"] if left else t["none_left"]))
    lines += [f"#   {x}" for x in left]
    return lines + [""]


def _left_out(sheet: SheetProposal, t: dict, lang: str) -> list[str]:
    out = []
    for c in sheet.columns:
        if c.level == "left_out" or c.role == "covariate_date":
            why = describe(c.evidence[0], lang) if c.evidence else ""
            out.append(f"'{c.header}': {t['reasons'][c.role]}" + (f" ({why})" if why else ""))
    return out


def render_study_yaml(sheet: SheetProposal, *, spec_file: str, name: str | None = None,
                      lang: str = "en", choices: AnalysisChoices | None = None) -> SpecText:
    """The commented study spec of a proposal.

    Parameters
    ----------
    sheet
        The proposal (the engine's, or with the roles a user chose).
    spec_file
        The workbook's path as the spec names it: relative to the folder the spec is written
        to (the spec's file paths are relative to its own folder).
    name
        The study's name (default: the file's name without its suffix).
    lang
        Language of the comments: ``en`` or ``zh``.
    choices
        What a person chose of the analysis (default: the suggestion).
    """
    choices = choices or AnalysisChoices()
    t = _TEXT.get(lang, _TEXT["en"])
    todos = [describe(x.note, lang) for x in open_todos(sheet)]
    left = _left_out(sheet, t, lang)
    study_name = choices.name or name or spec_file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    cutoff = choices.data_cutoff or sheet.latest_date
    if cutoff is None:  # a TODO in the spec is one of the numbered questions too
        todos.append(describe(Note.of("no_cutoff"), lang))
    lines = _head(sheet, todos, left, t)
    lines += ["study:", _line(2, f"name: {_q(study_name)}", t["name"])]
    if choices.data_cutoff is not None:
        lines.append(_line(2, f"data_cutoff: {cutoff.isoformat()}"))
    elif cutoff is not None:
        lines.append(_line(2, f"data_cutoff: {cutoff.isoformat()}", t["cutoff"]))
    else:
        lines.append(_line(2, f"data_cutoff: {TODO}", t["cutoff_none"]))
    lines.append("")
    lines += _source_lines(sheet, spec_file, t, lang)
    lines.append("")
    lines += _analysis_lines(sheet, choices, t, lang)
    return SpecText("\n".join(lines) + "\n", tuple(todos), tuple(left))
