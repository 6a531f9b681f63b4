"""The hospital's own workbook of the synthetic cohort, as sheets: one row per screened patient
with Chinese/English headers, and the long adverse-event sheet as a hospital keeps it.

Pure: the sheets are frames; :func:`oncocohort.write.synthetic.render_hospital_workbook` makes
them the bundled ``hospital.xlsx``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from oncocohort.simulate.escc import HOSPITAL_RECORD

__all__ = ["WIDE_AE_TERMS", "hospital_patients_sheet", "hospital_ae_sheet"]

_YES_NO = {True: "是", False: "否"}
_SEX = {"M": "男", "F": "女"}
_SITE = {"upper": "上段 upper", "middle": "中段 middle", "lower": "下段 lower"}
WIDE_AE_TERMS = ("fatigue", "hypertension", "nausea", "vomiting", "anaemia",
                 "hand-foot syndrome", "ALT increased", "AST increased", "bilirubin increased",
                 "hypothyroidism", "proteinuria", "pneumonitis", "oral mucositis", "rash",
                 "epistaxis", "gum bleeding")


def _ae_column(term: str) -> str:
    return f"{term[0].upper()}{term[1:]} grade"


def _code(series: pd.Series, mapping: Mapping) -> pd.Series:
    return series.astype(object).map(lambda v: None if pd.isna(v) else mapping.get(v))


def hospital_patients_sheet(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The wide sheet: screening data, dates, hospital-recorded response and AE worst grades."""
    p = tables["patients"]
    rec = tables[HOSPITAL_RECORD].set_index("subject_id")
    w = pd.DataFrame({
        "ID 病历号": p["subject_id"],
        "性别 Sex": _code(p["sex"], _SEX),
        "年龄 Age": p["age"],
        "ECOG": p["ecog"],
        "病理 Histology": p["histology"],
        "远处转移 Metastatic": _code(p["metastatic"], _YES_NO),
        "原发部位 Primary site": _code(p["primary_site"], _SITE),
        "转移部位数 Metastatic sites": p["n_metastatic_sites"],
        "既往治疗线数 Prior lines": p["prior_lines"],
        "既往治疗失败 Progression/intolerance": _code(p["prior_failure"], _YES_NO),
        "既往免疫治疗 Prior ICI": _code(p["prior_ici"], _YES_NO),
        "既往紫杉类 Prior taxane": _code(p["prior_taxane"], _YES_NO),
        "既往铂类 Prior platinum": _code(p["prior_platinum"], _YES_NO),
        "既往靶向 Prior targeted": _code(p["prior_targeted"], _YES_NO),
        "既往手术 Prior surgery": _code(p["prior_surgery"], _YES_NO),
        "联合放疗 Radiotherapy": _code(p["radiotherapy"], _YES_NO),
        "治疗方案 Regimen": p["regimen"],
        "PD-1抗体 PD-1 antibody": p["pd1_antibody"],
        "安罗替尼起始剂量 Anlotinib start dose (mg)": p["anlotinib_start_dose"],
        "器官功能正常 Organ function adequate": _code(p["organ_function_adequate"], _YES_NO),
        "其他恶性肿瘤 Other malignancy": _code(p["other_malignancy"], _YES_NO),
        "活动性脑转移 Active brain metastases": _code(p["active_brain_metastases"], _YES_NO),
        "资料缺失 Records incomplete": _code(p["records_incomplete"], _YES_NO),
        "Start date": p["index_date"],
        "Last contact": p["last_alive_date"],
        "Death date": p["death_date"],
        "End of treatment": p["eot_date"],
        "EOT reason": p["eot_reason"],
        "Best response": p["subject_id"].map(rec["best_response"]),
        "PD date": p["subject_id"].map(rec["progression_date"]),
    })
    ae = tables["adverse_events"]
    rel = ae[ae["related"].astype(bool)]
    worst = rel.groupby(["subject_id", "ae_term"])["grade"].max().unstack()
    treated = p["subject_id"].isin(rec.index)
    for term in WIDE_AE_TERMS:
        col = worst[term] if term in worst.columns else pd.Series(dtype=float)
        g = p["subject_id"].map(col)
        w[_ae_column(term)] = g.where(~treated, g.fillna(0)).astype("Float64")
    return w


def hospital_ae_sheet(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The long AE sheet as a hospital keeps it: day/month/year text dates, yes/no codes."""
    ae = tables["adverse_events"]

    def dmy(s: pd.Series) -> pd.Series:
        return s.dt.strftime("%d/%m/%Y")

    return pd.DataFrame({
        "Patient ID": ae["subject_id"], "Event": ae["ae_term"], "CTCAE grade": ae["grade"],
        "Onset": dmy(ae["onset_date"]), "Resolved": dmy(ae["end_date"]),
        "Related": ae["related"].map({True: "yes", False: "no"}),
        "Attributed to": ae["related_drugs"], "Serious": ae["serious"].map({True: "yes",
                                                                             False: "no"}),
    })
