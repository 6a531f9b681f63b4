"""Concept sets, index event, rules, attrition and lines of therapy on ten hand-made persons.

Every expected value is worked out in the comments from the records below (index date
2020-06-15 = day 0 for every person; days are relative to it).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from _omop_frames import cdm_frames, duckdb_cdm
from oncocohort.sources.omop import extract_omop_cohort
from oncocohort.sources.omop.cohort import build_cohort, compute_attrition
from oncocohort.spec.database import OmopCohort

I0 = dt.date(2020, 6, 15)
OES, SCC, SCC_MID, ADENO, MET, LUNG = 100, 101, 111, 102, 200, 301  # 111 < 101 < 100 > 102
PEMBRO, DOCE, CIS, FU, PD1 = 1100, 1104, 1107, 1111, 1001  # pembro descends from PD1 class
ECOG, PROG, RADIO = 3001, 4001, 2002


def d(n: int) -> dt.date:
    return I0 + dt.timedelta(days=n)


def _tables() -> dict[str, pd.DataFrame]:
    person, period, cond, drug, meas, obs, proc = [], [], [], [], [], [], []
    ids = iter(range(1, 10_000))

    def add_person(pid, *, birth=(1950, 1, 1), hist=SCC_MID, start=-400, ecog=1.0,
                   partner=("pembrolizumab", PEMBRO, 0), line=True, progression=True):
        person.append((pid, 8507, *birth, f"P{pid}"))
        period.append((pid, d(start), d(300)))
        cond.append((next(ids), pid, hist, d(-60), "x"))
        cond.append((next(ids), pid, MET, d(-30), "met"))
        meas.append((next(ids), pid, ECOG, d(-5), ecog))
        drug.append((next(ids), pid, 0, d(0), d(13), "anlotinib"))
        if partner:
            drug.append((next(ids), pid, partner[1], d(partner[2]), d(partner[2]), partner[0]))
        if line:
            drug.append((next(ids), pid, DOCE, d(-200), d(-186), "docetaxel"))
            if progression:
                obs.append((next(ids), pid, PROG, d(-186)))

    # P1 passes everything. Partner 21 days after the anchor: inside the window (<= 21).
    # ECOG: two measurements on day -5 (ids 9000: 3, 9001: 1) -> the larger id wins -> 1.
    # 18th birthday on the index day -> 18 completed years.
    add_person(1, birth=(2002, 6, 15), partner=("pembrolizumab", PEMBRO, 21), line=False)
    meas.append((9000, 1, ECOG, d(-5), 3.0))
    meas.append((9001, 1, ECOG, d(-5), 1.0))
    # P1's lines: docetaxel -300..-280 and again -250..-240 (30 days after the end: same era
    # with gap 30); cisplatin -272 (28 days after -300: same line); 5-FU -243 (29 days after
    # the previous era start -272: new line). Progression on day -200: within 30 days of
    # line 2's end (-229) but not of line 1's (-240 + 30 = -210). Radiotherapy on day 100:
    # the first line after the regimen -> 2 prior + regimen (3) -> line 4.
    drug += [(next(ids), 1, DOCE, d(-300), d(-280), "docetaxel"),
             (next(ids), 1, DOCE, d(-250), d(-240), "docetaxel"),
             (next(ids), 1, CIS, d(-272), d(-265), "cisplatin"),
             (next(ids), 1, FU, d(-243), d(-229), "5-fluorouracil")]
    obs.append((next(ids), 1, PROG, d(-200)))
    proc.append((next(ids), 1, RADIO, d(100), d(120), "radiotherapy"))
    # P2: camrelizumab (no standard concept: source value) 22 days after: no index event.
    add_person(2, partner=("camrelizumab", 0, 22))
    add_person(3, ecog=3.0)  # latest ECOG 3 (an older 1 does not count)
    meas.append((next(ids), 3, ECOG, d(-20), 1.0))
    add_person(4, birth=(2002, 6, 16))  # turns 18 the day after the index: 17
    add_person(5, start=-100)  # 100 days of observation before the index
    add_person(6)
    cond.append((next(ids), 6, LUNG, d(-500), "lung"))  # another malignancy
    add_person(7, hist=LUNG)  # no oesophageal cancer: not screened
    add_person(8, partner=None)  # only the anchor -> screened, fails the regimen...
    drug[:] = [r for r in drug if r[1] != 8]
    drug.append((next(ids), 8, 0, dt.date(2018, 1, 1), dt.date(2018, 1, 10), "anlotinib"))
    # ...but its only exposure is before the study period: not screened at all.
    add_person(9, progression=False)  # a prior line without progression
    add_person(10, hist=ADENO)  # oesophageal adenocarcinoma: screened, fails escc
    return cdm_frames(
        person=person, observation_period=period, condition_occurrence=cond,
        drug_exposure=drug, measurement=meas, observation=obs, procedure_occurrence=proc,
        concept_ancestor=[(100, 100), (100, 101), (100, 111), (101, 101), (101, 111),
                          (111, 111), (100, 102), (102, 102), (200, 200),
                          (1001, 1001), (1001, 1100), (1100, 1100)])


def _cdm(tables=None, drop=()):
    return duckdb_cdm(tables or _tables(), drop)


def _spec(**over) -> OmopCohort:
    raw = {
        "concept_sets": {
            "oesophageal": {"concepts": [OES]}, "escc": {"concepts": [SCC]},
            "met": {"concepts": [MET]}, "lung": {"concepts": [LUNG]},
            "anlotinib": {"source_values": ["Anlotinib "]},
            "pd1": {"concepts": [PD1], "source_values": ["camrelizumab"]},
            "antineoplastic": {"concepts": [DOCE, CIS, FU, PEMBRO],
                               "source_values": ["anlotinib", "camrelizumab"]},
            "radio": {"concepts": [RADIO]}, "ecog": {"concepts": [ECOG]},
            "prog": {"concepts": [PROG]}, "taxane": {"concepts": [DOCE]}},
        "entry": {"condition": "oesophageal", "drugs": ["anlotinib", "pd1"],
                  "study_start": "2019-01-01", "study_end": "2024-12-31"},
        "index": {"anchor": "anlotinib", "partner": "pd1", "within_days": 21},
        "inclusion": [
            {"name": "escc", "all_of": [{"condition": "escc"}, {"condition": "met"}]},
            {"name": "ecog", "all_of": [{"measurement": "ecog", "window": [-30, 0],
                                         "value": {"op": "<=", "value": 2}}]},
            {"name": "adult", "all_of": [{"age": {"op": ">=", "value": 18}}]},
            {"name": "prior", "all_of": [{"prior_lines": {"op": ">=", "value": 1},
                                          "progressed": True}]},
            {"name": "regimen", "all_of": [{"index_event": True}]}],
        "exclusion": [
            {"name": "short", "all_of": [{"observation_days_before":
                                          {"op": "<", "value": 180}}]},
            {"name": "other", "all_of": [{"condition": "lung"}]}],
        "lines": {"drugs": "antineoplastic", "procedures": "radio", "progression": "prog",
                  "classes": {"taxane": "taxane", "radiotherapy": "radio"},
                  "prior_flags": {"prior_taxane": "taxane"}},
        "patients": {"ecog": "ecog"},
    }
    raw.update(over)
    return OmopCohort.model_validate(raw)


@pytest.mark.by_hand
def test_attrition_by_hand():
    # screened: 1-6, 9, 10 (7: no oesophageal cancer; 8: exposure before the study period)
    # escc -10 (adenocarcinoma is oesophageal but not ESCC) | ecog -3 | adult -4 |
    # prior -9 | regimen -2 | short -5 | other -6 -> person 1 remains
    a = compute_attrition(_spec(), build_cohort(_cdm(), _spec()).flags)
    assert a["n_remaining"].tolist() == [8, 7, 6, 5, 4, 3, 2, 1]
    assert a["n_excluded"].tolist() == [0, 1, 1, 1, 1, 1, 1, 1]
    assert a["rule"].tolist() == ["", "escc", "ecog", "adult", "prior", "regimen", "short",
                                  "other"]


@pytest.mark.by_hand
def test_first_failing_rule_per_person():
    flags = build_cohort(_cdm(), _spec()).flags.to_pandas().set_index("person_id")
    got = {int(k): (None if pd.isna(v) else v) for k, v in flags["first_fail"].items()}
    assert got == {1: None, 2: "regimen", 3: "ecog", 4: "adult", 5: "short", 6: "other",
                   9: "prior", 10: "escc"}
    assert flags.loc[1, "index_day"] == (I0 - dt.date(1970, 1, 1)).days


@pytest.mark.by_hand
def test_descendants_need_the_flag_and_the_vocabulary():
    # escc = {101}: persons carry 111 (a descendant) -> without descendants nobody is ESCC.
    sets = dict(_spec().concept_sets)
    no_desc = {k: v.model_dump() for k, v in sets.items()}
    no_desc["escc"]["descendants"] = False
    a = compute_attrition(_spec(), build_cohort(_cdm(), _spec(concept_sets=no_desc)).flags)
    assert a.loc[1, "n_excluded"] == 8  # every screened person fails escc
    # Without a concept_ancestor table only the listed ids match: nobody is screened.
    a = compute_attrition(_spec(), build_cohort(_cdm(drop=("concept_ancestor",)),
                                                _spec()).flags)
    assert a.loc[0, "n_remaining"] == 0


@pytest.mark.by_hand
def test_lines_of_therapy_by_hand():
    ext = extract_omop_cohort(_cdm(), _spec())
    lines = ext.tables["therapy_lines"]
    got = [(r.setting, r.line, r.drug, r.start_date.date(), r.end_date.date(),
            None if pd.isna(r.progressed) else bool(r.progressed),
            None if pd.isna(r.drug_class) else r.drug_class) for r in lines.itertuples()]
    assert got == [
        ("prior", 1, "cisplatin", d(-272), d(-265), False, None),
        ("prior", 1, "docetaxel", d(-300), d(-240), False, "taxane"),
        ("prior", 2, "5-fluorouracil", d(-243), d(-229), True, None),
        ("subsequent", 4, "radiotherapy", d(100), d(120), None, "radiotherapy"),
    ]
    p = ext.tables["patients"].iloc[0]
    assert (p["subject_id"], p["age"], p["ecog"]) == ("P1", 18.0, 1)
    assert (p["prior_lines"], bool(p["prior_failure"]), bool(p["prior_taxane"])) == (2, True,
                                                                                      True)
    # the studied regimen (anlotinib day 0, pembrolizumab day 21) is the therapy table
    t = ext.tables["therapy"]
    assert t["drug"].tolist() == ["anlotinib", "pembrolizumab"]
    assert t["start_date"].dt.date.tolist() == [I0, d(21)]


@pytest.mark.by_hand
def test_gap_and_window_boundaries():
    # gap 29: docetaxel's second exposure (30 days after the first ended) is a new era
    # starting on day -250. Era starts -300, -272, -250, -243 are each within 28 days of the
    # previous one, so the chain makes one line of three drugs. Window 29: 5-FU (29 days
    # after cisplatin's start) joins line 1 as well.
    spec = _spec()
    lines = spec.lines.model_dump()
    ext = extract_omop_cohort(_cdm(), _spec(lines={**lines, "gap_days": 29}))
    lt = ext.tables["therapy_lines"]
    assert sorted(map(tuple, lt.loc[lt.setting == "prior", ["line", "drug"]].values.tolist())
                  ) == [(1, "5-fluorouracil"), (1, "cisplatin"), (1, "docetaxel")]
    ext = extract_omop_cohort(_cdm(), _spec(lines={**lines, "grouping_window_days": 29}))
    lt = ext.tables["therapy_lines"]
    assert lt.loc[lt.setting == "prior", "line"].tolist() == [1, 1, 1]
