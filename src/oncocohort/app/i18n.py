"""The interface's words in English and Simplified Chinese.

Evidence, questions and role names come from the proposal's own catalogue
(:mod:`oncocohort.propose.messages`); this module holds the words of the pages. A test checks
both languages have the same keys and parameters.
"""

from __future__ import annotations

from oncocohort.propose.messages import LANGUAGES

__all__ = ["LANGUAGES", "UI", "pick_language", "translator"]

UI: dict[str, dict[str, str]] = {
    "en": {
        "title": "oncocohort",
        "tagline": "From a hospital workbook to a reproducible study",
        "upload_title": "1. Your workbook",
        "upload_help": "One row per patient: Excel (.xlsx), CSV, SPSS (.sav), Stata (.dta) or "
                       "SAS (.sas7bdat). The file stays on this computer, in a private folder "
                       "deleted when you end the session or stop the app.",
        "upload_limit": "Largest file: {mb} MiB.",
        "choose_file": "Workbook file",
        "upload": "Read the workbook",
        "mapping_title": "2. What each column is",
        "mapping_help": "oncocohort proposes a role for every column from its header and its "
                        "cells. Check the guesses, answer the questions, change any role.",
        "file_info": "{file}{sheet}: header on row {row}, {n} patients, {k} columns",
        "sheet": "Sheet",
        "show_sheet": "Show",
        "column": "Column",
        "role": "Role",
        "confidence": "How sure",
        "evidence": "Why",
        "details": "Cells",
        "apply": "Apply",
        "sure": "sure",
        "guess": "guess",
        "left_out": "left out",
        "todos_title": "Questions to answer ({n})",
        "no_todos": "No open questions: the spec is ready.",
        "codes_title": "Codes",
        "code": "code",
        "count": "rows",
        "means": "means",
        "todo_option": "? (to answer)",
        "dates_title": "Dates as read",
        "date_format": "Written as",
        "fmt_auto": "year first or Excel dates",
        "cell": "cell",
        "read_as": "read as",
        "not_a_date": "not a date",
        "numbers": "{low} to {high}",
        "analysis_title": "3. The analysis",
        "analysis_help": "What the report will hold. The suggestion fits the columns found; "
                         "change it as you like.",
        "study_name": "Study title",
        "data_cutoff": "Data cut-off",
        "endpoints": "Endpoints",
        "endpoint_os": "Overall survival",
        "endpoint_pfs": "Progression-free survival",
        "landmarks": "Survival reported at (months)",
        "subgroups": "Subgroups (log-rank and Cox)",
        "label": "label",
        "cut_median": "cut at the median ({median})",
        "cut_at": "cut at {cut}",
        "save_analysis": "Save the analysis",
        "bad_date": "The data cut-off must be a date (YYYY-MM-DD).",
        "bad_landmarks": "Landmarks must be numbers above 0, separated by commas.",
        "journal_style": "Journal style of numbers, tables and figures",
        "journal_default": "Default (95% CI 1.2-3.4; p=0.012)",
        "journal_jama": "JAMA",
        "journal_lancet": "The Lancet (mid-dot decimals)",
        "journal_nejm": "NEJM",
        "bad_journal_style": "Choose a journal style from the list.",
        "reference": "reference level",
        "reference_default": "first level shown",
        "bad_reference": "Choose a reference level from the list.",
        "table1_rows": "Other Table 1 rows",
        "shown_as": "shown as",
        "labels_title": "In the report",
        "save_labels": "Save the labels",
        "spec_title": "4. The study spec",
        "spec_help": "This file is the whole analysis: keep it with the workbook, and "
                     "`oncocohort run study.yaml` repeats it from the command line.",
        "download_spec": "Download study.yaml",
        "run": "Run the analysis",
        "run_help": "The analysis runs on this computer with the spec above; its outputs stay "
                    "in the session's folder until you download them.",
        "progress_title": "Running the analysis",
        "stage_queued": "Starting", "stage_validating": "Reading and checking the data",
        "stage_analysing": "Analysing", "stage_writing": "Writing the report",
        "stage_done": "Done",
        "data_problems_title": "The data have problems ({n})",
        "data_problems_help": "Nothing was analysed. Each problem is shown at its cell; correct "
                              "the workbook (or the mapping) and run again.",
        "row": "row {row}",
        "back_to_mapping": "Back to the mapping",
        "run_failed": "The analysis stopped because of a fault inside oncocohort. The details "
                      "are in the terminal where `oncocohort app` runs.",
        "report_title": "5. The report",
        "downloads": "Downloads",
        "dl_html": "Report (HTML)", "dl_docx": "Report (Word)", "dl_tables": "Tables (CSV, zip)",
        "dl_ard": "All results (ARD, CSV)", "dl_ard_json": "All results (ARD, JSON)",
        "dl_spec": "study.yaml (repeat with `oncocohort run study.yaml`)",
        "end_session": "End session and delete files",
        "new_upload": "Read another workbook",
        "language": "中文",
        "problems_title": "The file could not be read",
        "problems_help": "Nothing was kept. Correct the file and read it again.",
        "too_large": "The file is larger than {mb} MiB.",
        "bad_upload": "Choose a workbook file (.xlsx, .csv, .sav, .dta, .sas7bdat, .parquet).",
        "error_title": "Something went wrong inside oncocohort",
        "error_help": "This is not a problem of your data. The details are in the terminal "
                      "where `oncocohort app` runs.",
        "not_found": "This page does not exist, or the session has ended.",
        "ended": "The session has ended; its files are deleted.",
    },
    "zh": {
        "title": "oncocohort",
        "tagline": "从医院数据表到可重复的研究分析",
        "upload_title": "1. 您的数据表",
        "upload_help": "每行一位患者：Excel（.xlsx）、CSV、SPSS（.sav）、Stata（.dta）或 SAS"
                       "（.sas7bdat）。文件只保存在本机的私有文件夹中，结束会话或关闭程序时删除。",
        "upload_limit": "文件上限：{mb} MiB。",
        "choose_file": "数据表文件",
        "upload": "读取数据表",
        "mapping_title": "2. 每一列是什么",
        "mapping_help": "oncocohort 根据表头和单元格内容为每一列推荐角色。请核对推测、回答问题，"
                        "也可修改任何角色。",
        "file_info": "{file}{sheet}：表头在第 {row} 行，{n} 位患者，{k} 列",
        "sheet": "工作表",
        "show_sheet": "显示",
        "column": "列",
        "role": "角色",
        "confidence": "确定程度",
        "evidence": "依据",
        "details": "单元格",
        "apply": "应用",
        "sure": "确定",
        "guess": "推测",
        "left_out": "不纳入",
        "todos_title": "待回答的问题（{n}）",
        "no_todos": "没有待定问题：研究配置已就绪。",
        "codes_title": "编码",
        "code": "编码",
        "count": "行数",
        "means": "含义",
        "todo_option": "？（待回答）",
        "dates_title": "日期读取结果",
        "date_format": "写法",
        "fmt_auto": "年在前或 Excel 日期",
        "cell": "单元格",
        "read_as": "读取为",
        "not_a_date": "不是日期",
        "numbers": "{low} 至 {high}",
        "analysis_title": "3. 分析内容",
        "analysis_help": "报告将包含的内容。推荐内容依据已识别的列，可随意修改。",
        "study_name": "研究标题",
        "data_cutoff": "数据截止日期",
        "endpoints": "终点",
        "endpoint_os": "总生存期（OS）",
        "endpoint_pfs": "无进展生存期（PFS）",
        "landmarks": "报告生存率的时间点（月）",
        "subgroups": "亚组（log-rank 检验与 Cox 回归）",
        "label": "标签",
        "cut_median": "按中位数（{median}）分组",
        "cut_at": "按 {cut} 分组",
        "save_analysis": "保存分析设置",
        "bad_date": "数据截止日期须为日期（YYYY-MM-DD）。",
        "bad_landmarks": "时间点须为大于 0 的数字，以逗号分隔。",
        "journal_style": "期刊格式（数字、表格与图）",
        "journal_default": "默认（95% CI 1.2-3.4；p=0.012）",
        "journal_jama": "JAMA",
        "journal_lancet": "The Lancet（小数点居中）",
        "journal_nejm": "NEJM",
        "bad_journal_style": "请从列表中选择期刊格式。",
        "reference": "参照水平",
        "reference_default": "显示的第一个水平",
        "bad_reference": "请从列表中选择参照水平。",
        "table1_rows": "表 1 的其他行",
        "shown_as": "显示为",
        "labels_title": "报告中的显示",
        "save_labels": "保存标签",
        "spec_title": "4. 研究配置",
        "spec_help": "此文件即完整的分析：请与数据表一同保存，命令行运行 "
                     "`oncocohort run study.yaml` 可重复分析。",
        "download_spec": "下载 study.yaml",
        "run": "运行分析",
        "run_help": "分析在本机按上面的配置运行；输出文件保存在会话文件夹中，直到您下载。",
        "progress_title": "正在运行分析",
        "stage_queued": "准备中", "stage_validating": "读取并检查数据", "stage_analysing": "分析中",
        "stage_writing": "生成报告", "stage_done": "完成",
        "data_problems_title": "数据存在问题（{n}）",
        "data_problems_help": "未进行分析。每个问题都标示在对应的单元格上；"
                              "请更正数据表（或列的对应关系）后重新运行。",
        "row": "第 {row} 行",
        "back_to_mapping": "返回列的对应关系",
        "run_failed": "由于 oncocohort 内部故障，分析已停止。"
                      "详细信息见运行 `oncocohort app` 的终端。",
        "report_title": "5. 报告",
        "downloads": "下载",
        "dl_html": "报告（HTML）", "dl_docx": "报告（Word）", "dl_tables": "表格（CSV，zip）",
        "dl_ard": "全部结果（ARD，CSV）", "dl_ard_json": "全部结果（ARD，JSON）",
        "dl_spec": "study.yaml（用 `oncocohort run study.yaml` 重复分析）",
        "end_session": "结束会话并删除文件",
        "new_upload": "读取另一个数据表",
        "language": "English",
        "problems_title": "无法读取该文件",
        "problems_help": "未保留任何内容。请更正文件后重新读取。",
        "too_large": "文件超过 {mb} MiB。",
        "bad_upload": "请选择数据表文件（.xlsx、.csv、.sav、.dta、.sas7bdat、.parquet）。",
        "error_title": "oncocohort 内部出错",
        "error_help": "这不是您数据的问题。详细信息见运行 `oncocohort app` 的终端。",
        "not_found": "此页面不存在，或会话已结束。",
        "ended": "会话已结束，其文件已删除。",
    },
}


def pick_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    """The language asked for (``?lang=``), else remembered (cookie), else the browser's."""
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return choice
    return "zh" if accept and accept.lower().lstrip().startswith("zh") else "en"


def translator(lang: str):
    """``t(key, **params)`` in ``lang``."""
    table = UI.get(lang, UI["en"])

    def t(key: str, **params: object) -> str:
        return table[key].format(**params)

    return t
