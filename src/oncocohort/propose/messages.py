"""The wording of evidence, questions and roles, in English and Simplified Chinese.

One catalogue serves ``oncocohort init`` (comments of the study spec) and the web app (the
mapping screen). Every :class:`~oncocohort.propose.results.Note` code has a text in each
language; a test checks that no code is missing. Parameters are headers, codes, counts and
row numbers, never a patient's value.
"""

from __future__ import annotations

from typing import Literal

from oncocohort.propose.results import Note

__all__ = ["LANGUAGES", "MESSAGES", "ROLE_LABELS", "DATE_STYLES", "WARNINGS", "describe",
           "role_label"]

Language = Literal["en", "zh"]
LANGUAGES: tuple[str, ...] = ("en", "zh")

#: Evidence a person must read whatever else is said of the column: shown in the spec's
#: comment and in the terminal, beyond the first two notes that explain a guess.
WARNINGS: frozenset[str] = frozenset({"hospital_number"})

ROLE_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "subject_id": "patient id", "index_date": "index date (start of treatment)",
        "birth_date": "date of birth", "age": "age (years)", "sex": "sex",
        "ecog": "ECOG performance status", "last_alive_date": "last date known alive",
        "death_date": "date of death", "vital_status": "vital status (alive/dead)",
        "eot_date": "end of treatment", "eot_reason": "end-of-treatment reason",
        "progression_date": "date of progression", "best_response": "best overall response",
        "data_cutoff": "data cut-off (per patient)", "ae_grade": "adverse event: worst grade",
        "covariate": "covariate (categories)", "covariate_number": "covariate (numbers)",
        "covariate_date": "other date", "identifier": "direct identifier (left out)",
        "free_text": "free text (left out)", "derived": "already computed (left out)",
        "ignore": "not used",
    },
    "zh": {
        "subject_id": "患者编号", "index_date": "基线日期（治疗开始）", "birth_date": "出生日期",
        "age": "年龄（岁）", "sex": "性别", "ecog": "ECOG 体能状态评分",
        "last_alive_date": "末次确认存活日期", "death_date": "死亡日期",
        "vital_status": "生存状态（存活/死亡）", "eot_date": "治疗结束日期",
        "eot_reason": "治疗结束原因", "progression_date": "疾病进展日期",
        "best_response": "最佳总体疗效", "data_cutoff": "数据截止日期（每例）",
        "ae_grade": "不良事件：最高分级", "covariate": "协变量（分类）",
        "covariate_number": "协变量（数值）", "covariate_date": "其他日期",
        "identifier": "直接身份标识（不纳入）", "free_text": "自由文本（不纳入）",
        "derived": "已计算的结果（不纳入）", "ignore": "不使用",
    },
}

DATE_STYLES: dict[str, dict[str, str]] = {
    "en": {"native_or_iso": "Excel dates or YYYY-MM-DD", "year_first": "year first "
           "(2023/5/3, 2023.05.03)", "day_first": "day/month/year", "month_first":
           "month/day/year", "ambiguous": "day/month order unknown", "chinese": "2023年5月3日",
           "serial": "Excel serial numbers", "mixed": "day-first and month-first mixed"},
    "zh": {"native_or_iso": "Excel 日期或 YYYY-MM-DD", "year_first": "年在前（2023/5/3、"
           "2023.05.03）", "day_first": "日/月/年", "month_first": "月/日/年", "ambiguous":
           "日月顺序不明", "chinese": "2023年5月3日", "serial": "Excel 序列号",
           "mixed": "日在前与月在前混用"},
}

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        # evidence
        "header_exact": "header '{header}' is a name for it",
        "header_contains": "header '{header}' contains '{term}'",
        "label_exact": "variable label '{header}' is a name for it",
        "label_contains": "variable label '{header}' contains '{term}'",
        "contradicts": "the header suggested {role}, but the cells disagree",
        "row_numbers": "row numbers 1, 2, 3, ...",
        "ae_free_text": "adverse events as free text (terms without grades)",
        "empty": "every cell is empty",
        "looks_national_id": "the cells look like national ID numbers",
        "looks_phone": "the cells look like phone numbers",
        "looks_email": "the cells look like e-mail addresses",
        "recist_codes": "RECIST response codes",
        "code_words": "the codes are words that say what they mean",
        "header_codes": "the header states the codes",
        "yes_no_polarity": "yes/no (or 1/0) in a column named like an event: yes = {meaning}",
        "free_text": "free text",
        "dates": "{n} of {m} cells are dates ({style})",
        "day_first": "day first: {k} cells have a first part above 12",
        "month_first": "month first: {k} cells have a second part above 12",
        "serial_numbers": "whole numbers in the range of Excel serial dates",
        "integers": "whole numbers {low}-{high}",
        "numbers": "numbers {low}-{high}",
        "codes": "{k} codes: {values}",
        "distinct": "{k} distinct values in {m} cells",
        "ae_header": "a grade column of the adverse event '{term}' (CTCAE v5.0)",
        "ae_header_unknown": "a grade column of an adverse event not found in CTCAE v5.0",
        "ae_name": "named like the adverse event '{term}', grades 0-5",
        "also": "also looked like {role}, given to '{other}'",
        "unique_values": "no header names the patient id; every value occurs once",
        "hospital_number": "a hospital record number: the patient-level outputs carry it; "
                           "use a study number before sharing them",
        "user": "chosen by you",
        # questions
        "title_rows": "the header is on row {header_row}; row(s) {rows} above it hold a title",
        "missing_role": "no column found for the {role}: which column is it?",
        "missing_age": "no column found for age or date of birth: which column is it?",
        "no_cutoff": "no date found in the sheet: set the data cut-off (study.data_cutoff)",
        "no_death": "no column says who died (a date of death or a vital status): which "
                    "column is it?",
        "date_formats": "text dates are written in different orders ({formats}) in one sheet",
        "duplicate_ids": "'{column}' repeats patient ids ({k} ids in {rows} rows): is this "
                         "one row per patient?",
        "ae_term": "'{column}': which CTCAE v5.0 adverse event is graded here?",
        "sex_codes": "'{column}' has codes {codes}: which is male (M) and which female (F)?",
        "status_codes": "'{column}' has codes {codes}: which one means dead?",
        "response_codes": "'{column}' has codes {codes} that are not RECIST responses: "
                          "which are CR, PR, SD, PD or NE?",
        "eot_codes": "'{column}' has codes {codes}: which end-of-treatment reason is each?",
        "not_dates": "'{column}' should hold dates but its cells are not dates",
        "ambiguous_dates": "'{column}': dates such as 03/05/2023 could be day/month or "
                           "month/day, and no cell decides: which is it?",
        "mixed_dates": "'{column}' mixes day/month and month/day dates: correct the cells",
        "serial_dates": "'{column}' holds dates as Excel serial numbers: format the column "
                        "as dates in Excel",
        "partial_dates": "'{column}' has {k} partial dates (year-month or year): complete "
                         "them, or choose how to impute them (conventions.partial_dates)",
        "bad_dates": "'{column}' has {k} cells that are not dates (rows {rows})",
    },
    "zh": {
        "header_exact": "表头“{header}”即为此项的名称",
        "header_contains": "表头“{header}”含“{term}”",
        "label_exact": "变量标签“{header}”即为此项的名称",
        "label_contains": "变量标签“{header}”含“{term}”",
        "contradicts": "表头提示为{role}，但单元格内容不符",
        "row_numbers": "行号 1、2、3……",
        "ae_free_text": "以自由文本记录的不良事件（无分级）",
        "empty": "所有单元格均为空",
        "looks_national_id": "单元格内容像身份证号",
        "looks_phone": "单元格内容像电话号码",
        "looks_email": "单元格内容像电子邮箱",
        "recist_codes": "RECIST 疗效编码",
        "code_words": "编码为可直接理解的文字",
        "header_codes": "表头注明了编码含义",
        "yes_no_polarity": "事件类列中的 是/否（或 1/0）：是 = {meaning}",
        "free_text": "自由文本",
        "dates": "{m} 个单元格中 {n} 个为日期（{style}）",
        "day_first": "日在前：{k} 个单元格第一部分大于 12",
        "month_first": "月在前：{k} 个单元格第二部分大于 12",
        "serial_numbers": "整数，处于 Excel 日期序列号范围内",
        "integers": "整数 {low}-{high}",
        "numbers": "数值 {low}-{high}",
        "codes": "{k} 个编码：{values}",
        "distinct": "{m} 个单元格中有 {k} 个不同值",
        "ae_header": "不良事件“{term}”（CTCAE v5.0）的分级列",
        "ae_header_unknown": "某不良事件的分级列，未在 CTCAE v5.0 中找到该事件",
        "ae_name": "列名为不良事件“{term}”，取值 0-5 级",
        "also": "也像{role}，已分配给“{other}”",
        "unique_values": "没有表头标明患者编号；每个值只出现一次",
        "hospital_number": "医院病案号：患者级输出文件会包含此编号，共享前请改用研究编号",
        "user": "由您选择",
        "title_rows": "表头在第 {header_row} 行；其上方第 {rows} 行为标题",
        "missing_role": "未找到{role}所在的列：是哪一列？",
        "missing_age": "未找到年龄或出生日期所在的列：是哪一列？",
        "no_cutoff": "工作表中未找到日期：请填写数据截止日期（study.data_cutoff）",
        "no_death": "没有列说明哪些患者死亡（死亡日期或生存状态）：是哪一列？",
        "date_formats": "同一工作表中的文本日期使用了不同的顺序（{formats}）",
        "duplicate_ids": "“{column}”中患者编号有重复（{rows} 行中 {k} 个编号）："
                         "是否每行一位患者？",
        "ae_term": "“{column}”：此列记录的是哪个 CTCAE v5.0 不良事件的分级？",
        "sex_codes": "“{column}”的编码为 {codes}：哪个是男（M），哪个是女（F）？",
        "status_codes": "“{column}”的编码为 {codes}：哪个代表死亡？",
        "response_codes": "“{column}”中的编码 {codes} 不是 RECIST 疗效：分别对应 CR、PR、"
                          "SD、PD 还是 NE？",
        "eot_codes": "“{column}”的编码为 {codes}：各对应哪种治疗结束原因？",
        "not_dates": "“{column}”应为日期，但单元格不是日期",
        "ambiguous_dates": "“{column}”：如 03/05/2023 的日期既可能是日/月，也可能是月/日，"
                           "且没有单元格能判断：是哪一种？",
        "mixed_dates": "“{column}”混用了日/月与月/日两种顺序：请更正单元格",
        "serial_dates": "“{column}”中的日期为 Excel 序列号：请在 Excel 中将该列设为日期格式",
        "partial_dates": "“{column}”有 {k} 个不完整日期（仅年月或仅年）：请补全，"
                         "或选择填补方式（conventions.partial_dates）",
        "bad_dates": "“{column}”有 {k} 个单元格不是日期（第 {rows} 行）",
    },
}


def role_label(role: str, lang: str = "en") -> str:
    """The role's name for people, in ``lang``."""
    return ROLE_LABELS.get(lang, ROLE_LABELS["en"]).get(role, role)


def describe(note: Note, lang: str = "en") -> str:
    """The sentence of a note in ``lang`` (English when ``lang`` is unknown).

    >>> describe(Note.of("status_codes", column="Status", codes="1, 2"))
    "'Status' has codes 1, 2: which one means dead?"
    """
    table = MESSAGES.get(lang, MESSAGES["en"])
    params = note.kwargs
    if "role" in params:
        params["role"] = role_label(params["role"], lang)
    if "style" in params:
        params["style"] = DATE_STYLES.get(lang, DATE_STYLES["en"]).get(params["style"],
                                                                       params["style"])
    if "meaning" in params and lang == "zh":
        params["meaning"] = {"dead": "死亡", "alive": "存活"}.get(params["meaning"],
                                                                 params["meaning"])
    return table[note.code].format(**params)
