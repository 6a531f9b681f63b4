"""Lines of therapy from OMOP treatment episodes (``episode`` / ``episode_event``).

By hand: three persons whose episodes and drug exposures tell different stories, so the
source chosen (``lines.source``) shows in the lines, in the ``prior_lines`` rule and in the
patients columns. Regression: the demo database written with episodes (one per line) gives
the same attrition and canonical tables as the drug_exposure derivation on the database
without them.

Index date 2020-06-15 = day 0 for every person; days below are relative to it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from _omop_frames import cdm_frames, duckdb_cdm
from oncocohort.problems import InputError
from oncocohort.sources.omop import connect_cdm, extract_omop_cohort
from oncocohort.sources.omop.cohort import build_cohort
from oncocohort.spec.database import OmopCohort

I0 = dt.date(2020, 6, 15)
OES, PEMBRO, DOCE, CIS, FU, RADIO, PROG = 100, 1100, 1104, 1107, 1111, 2002, 4001
REGIMEN_EP, DISEASE_EP = 32531, 32533  # Treatment Regimen; a non-treatment episode
DRUG_FIELD, PROC_FIELD = 1147094, 1147082


def d(n: int) -> dt.date:
    return I0 + dt.timedelta(days=n)


def _tables(*, episodes: bool = True) -> dict[str, pd.DataFrame]:
    person, period, cond, drug, obs, proc, ep, ev = [], [], [], [], [], [], [], []

    def add_person(pid):
        person.append((pid, 8507, 1950, 1, 1, f"P{pid}"))
        period.append((pid, d(-800), d(300)))
        cond.append((pid * 100, pid, OES, d(-60), "oesophageal"))
        drug.append((pid * 100 + 1, pid, 0, d(0), d(13), "anlotinib"))
        drug.append((pid * 100 + 2, pid, PEMBRO, d(0), d(0), "pembrolizumab"))

    # P1. Drug exposures: docetaxel -300..-280 (101... ids below), cisplatin -290..-285,
    # 5-FU -200..-190, progression on day -185, radiotherapy 100..120 after the index.
    # drug_exposure rules: cisplatin starts 10 days after docetaxel -> line 1 {docetaxel,
    # cisplatin}; 5-FU -> line 2, progressed (-185 <= -190 + 30); radiotherapy -> line 3 + 1
    # for the regimen = 4.
    # Episodes (the site's own lines): 1 = docetaxel, 2 = cisplatin, 3 = 5-FU, 4 = the
    # regimen, 5 = radiotherapy. Line 3 progressed (-185 within [-200, -160]); line 2 not
    # (nothing in [-290, -255]); line 1 not (nothing in [-300, -250]).
    add_person(1)
    drug += [(110, 1, DOCE, d(-300), d(-280), "docetaxel"),
             (111, 1, CIS, d(-290), d(-285), "cisplatin"),
             (112, 1, FU, d(-200), d(-190), "5-fluorouracil")]
    obs.append((120, 1, PROG, d(-185)))
    # procedure id 110 = docetaxel's drug_exposure id: only the field concept tells them apart
    proc.append((110, 1, RADIO, d(100), d(120), "radiotherapy"))
    ep += [(1001, 1, REGIMEN_EP, d(-300), d(-280), 1), (1002, 1, REGIMEN_EP, d(-290), d(-285), 2),
           (1003, 1, REGIMEN_EP, d(-200), d(-190), 3), (1004, 1, REGIMEN_EP, d(0), d(13), 4),
           (1005, 1, REGIMEN_EP, d(100), d(120), 5)]
    ev += [(1001, 110, DRUG_FIELD), (1002, 111, DRUG_FIELD), (1003, 112, DRUG_FIELD),
           (1004, 101, DRUG_FIELD), (1004, 102, DRUG_FIELD), (1005, 110, PROC_FIELD)]
    # P2. A prior docetaxel line -200..-186 with progression on -186 in drug_exposure, but
    # only a disease episode (not a treatment one): with episodes P2 has no prior line and
    # fails the prior-line rule; with drug_exposure P2 passes.
    add_person(2)
    drug.append((210, 2, DOCE, d(-200), d(-186), "docetaxel"))
    obs.append((220, 2, PROG, d(-186)))
    ep.append((2001, 2, DISEASE_EP, d(-400), None, 1))
    # P3. Two treatment episodes without episode_number: numbered by start, 1 (docetaxel
    # -400..-390) and 2 (cisplatin -300..-295); progression on day -290 -> line 2 progressed.
    # drug_exposure gives the same two lines (100 days apart).
    add_person(3)
    drug += [(310, 3, DOCE, d(-400), d(-390), "docetaxel"),
             (311, 3, CIS, d(-300), d(-295), "cisplatin")]
    obs.append((320, 3, PROG, d(-290)))
    ep += [(3002, 3, REGIMEN_EP, d(-300), d(-295), None),
           (3001, 3, REGIMEN_EP, d(-400), d(-390), None)]
    ev += [(3001, 310, DRUG_FIELD), (3002, 311, DRUG_FIELD)]
    if not episodes:
        ep, ev = ep[:0], ev[:0]
    return cdm_frames(person=person, observation_period=period, condition_occurrence=cond,
                      drug_exposure=drug, observation=obs, procedure_occurrence=proc,
                      measurement=[(1, 1, 9, I0, 1.0)], episode=ep, episode_event=ev)


def _cdm(tables: dict[str, pd.DataFrame], drop=()):
    return duckdb_cdm(tables, drop)


def _spec(source: str = "auto") -> OmopCohort:
    return OmopCohort.model_validate({
        "concept_sets": {
            "oesophageal": {"concepts": [OES]}, "anlotinib": {"source_values": ["anlotinib"]},
            "pd1": {"concepts": [PEMBRO]},
            "antineoplastic": {"concepts": [DOCE, CIS, FU, PEMBRO],
                               "source_values": ["anlotinib"]},
            "radio": {"concepts": [RADIO]}, "prog": {"concepts": [PROG]},
            "taxane": {"concepts": [DOCE]}},
        "entry": {"condition": "oesophageal", "drugs": ["anlotinib", "pd1"],
                  "study_start": "2019-01-01", "study_end": "2024-12-31"},
        "index": {"anchor": "anlotinib", "partner": "pd1"},
        "inclusion": [
            {"name": "prior", "all_of": [{"prior_lines": {"op": ">=", "value": 1},
                                          "progressed": True}]},
            {"name": "regimen", "all_of": [{"index_event": True}]}],
        "lines": {"source": source, "drugs": "antineoplastic", "procedures": "radio",
                  "progression": "prog", "classes": {"taxane": "taxane", "radiotherapy": "radio"},
                  "prior_flags": {"prior_taxane": "taxane"}},
    })


def _lines(ext) -> list[tuple]:
    lt = ext.tables["therapy_lines"]
    return [(r.subject_id, r.setting, r.line, r.drug, r.start_date.date(), r.end_date.date(),
             None if pd.isna(r.progressed) else bool(r.progressed),
             None if pd.isna(r.drug_class) else r.drug_class) for r in lt.itertuples()]


EPISODE_LINES = [
    ("P1", "prior", 1, "docetaxel", d(-300), d(-280), False, "taxane"),
    ("P1", "prior", 2, "cisplatin", d(-290), d(-285), False, None),
    ("P1", "prior", 3, "5-fluorouracil", d(-200), d(-190), True, None),
    ("P1", "subsequent", 5, "radiotherapy", d(100), d(120), None, "radiotherapy"),
    ("P3", "prior", 1, "docetaxel", d(-400), d(-390), False, "taxane"),
    ("P3", "prior", 2, "cisplatin", d(-300), d(-295), True, None),
]
DRUG_EXPOSURE_LINES = [
    ("P1", "prior", 1, "cisplatin", d(-290), d(-285), False, None),
    ("P1", "prior", 1, "docetaxel", d(-300), d(-280), False, "taxane"),
    ("P1", "prior", 2, "5-fluorouracil", d(-200), d(-190), True, None),
    ("P1", "subsequent", 4, "radiotherapy", d(100), d(120), None, "radiotherapy"),
    ("P2", "prior", 1, "docetaxel", d(-200), d(-186), True, "taxane"),
    ("P3", "prior", 1, "docetaxel", d(-400), d(-390), False, "taxane"),
    ("P3", "prior", 2, "cisplatin", d(-300), d(-295), True, None),
]


@pytest.mark.by_hand
def test_episodes_win_in_auto():
    cdm = _cdm(_tables())
    assert build_cohort(cdm, _spec()).lines_source == "episodes"
    ext = extract_omop_cohort(cdm, _spec())
    # P2 has no treatment episode -> no prior line -> fails "prior"; P1 and P3 remain
    assert ext.attrition["n_remaining"].tolist() == [3, 2, 2]
    assert ext.attrition["n_excluded"].tolist() == [0, 1, 0]
    assert _lines(ext) == EPISODE_LINES
    p = ext.tables["patients"].set_index("subject_id")
    assert p.loc["P1", "prior_lines"] == 3 and p.loc["P3", "prior_lines"] == 2
    assert bool(p.loc["P1", "prior_failure"]) and bool(p.loc["P3", "prior_failure"])
    assert bool(p.loc["P1", "prior_taxane"])
    # the studied regimen (episode 4) is the therapy table, not a line
    assert ext.tables["therapy"]["drug"].tolist() == ["anlotinib", "pembrolizumab"] * 2


@pytest.mark.by_hand
def test_explicit_drug_exposure_ignores_the_episodes():
    cdm = _cdm(_tables())
    assert build_cohort(cdm, _spec("drug_exposure")).lines_source == "drug_exposure"
    ext = extract_omop_cohort(cdm, _spec("drug_exposure"))
    assert ext.attrition["n_remaining"].tolist() == [3, 3, 3]
    assert _lines(ext) == DRUG_EXPOSURE_LINES
    p = ext.tables["patients"].set_index("subject_id")
    assert p["prior_lines"].tolist() == [2, 1, 2]


@pytest.mark.by_hand
@pytest.mark.parametrize("how", ["empty", "absent"])
def test_no_episodes_falls_back_to_drug_exposure(how):
    if how == "empty":
        cdm = _cdm(_tables(episodes=False))
    else:
        cdm = _cdm(_tables(), drop=("episode", "episode_event"))
    assert build_cohort(cdm, _spec()).lines_source == "drug_exposure"
    ext = extract_omop_cohort(cdm, _spec())
    assert _lines(ext) == DRUG_EXPOSURE_LINES
    assert ext.attrition["n_remaining"].iloc[-1] == 3


@pytest.mark.by_hand
def test_only_non_treatment_episodes_fall_back():
    # Only P2's disease episode (32533) in the cohort: no treatment episode -> drug_exposure.
    t = _tables()
    t["episode"] = t["episode"][t["episode"]["person_id"] == 2]
    t["episode_event"] = t["episode_event"].iloc[:0]
    assert build_cohort(_cdm(t), _spec()).lines_source == "drug_exposure"
    # ... unless the spec counts that concept as a line of therapy
    spec = _spec()
    lines = spec.lines.model_copy(update={"episode_concepts": [DISEASE_EP]})
    t["episode_event"] = pd.DataFrame({"episode_id": [2001], "event_id": [0],
                                       "episode_event_field_concept_id": [DRUG_FIELD]})
    assert build_cohort(_cdm(t), spec.model_copy(update={"lines": lines})
                        ).lines_source == "episodes"


@pytest.mark.by_hand
def test_explicit_episodes_without_the_tables_is_an_error():
    cdm = _cdm(_tables(), drop=("episode", "episode_event"))
    with pytest.raises(InputError) as err:
        build_cohort(cdm, _spec("episodes"))
    assert [p.location for p in err.value.problems.errors] == ["omop.lines.source"]
    # present but empty: an error too (asked for episodes, nobody would have a prior line)
    with pytest.raises(InputError) as err:
        extract_omop_cohort(_cdm(_tables(episodes=False)), _spec("episodes"))
    assert [p.location for p in err.value.problems.errors] == ["omop.lines.source"]
    assert "or it is empty" in err.value.problems.errors[0].message


def test_lines_source_field():
    assert _spec().lines.source == "auto"
    assert _spec().lines.episode_concepts == [32531]
    with pytest.raises(ValueError):
        _spec("registry")


# --- the demo database, with and without episodes ---------------------------------------

PERSONS = 300  # the 231 screened patients + background


def _demo_cdm(helpers, episodes: bool):
    import ibis

    from oncocohort.simulate.omop import generate_omop_chunks

    chunks = list(generate_omop_chunks(PERSONS, chunk_size=PERSONS, episodes=episodes))
    frames = {t: pd.concat([c[t] for c in chunks], ignore_index=True) for t in chunks[0]}
    con = ibis.duckdb.connect()
    helpers.load_tables(con, frames)
    return connect_cdm("duckdb://:memory:", backend=con), frames


@pytest.mark.regression
def test_demo_episodes_give_the_drug_exposure_results(omop_spec, helpers):
    plain, plain_frames = _demo_cdm(helpers, episodes=False)
    with_ep, ep_frames = _demo_cdm(helpers, episodes=True)
    # the generator adds episodes and changes nothing else
    assert len(plain_frames["episode"]) == 0 and len(ep_frames["episode"]) > 0
    for t in plain_frames:
        if t not in ("episode", "episode_event"):
            pd.testing.assert_frame_equal(plain_frames[t], ep_frames[t])
    assert build_cohort(plain, omop_spec).lines_source == "drug_exposure"
    assert build_cohort(with_ep, omop_spec).lines_source == "episodes"
    a = extract_omop_cohort(plain, omop_spec)
    b = extract_omop_cohort(with_ep, omop_spec)
    assert b.attrition["n_remaining"].iloc[-1] == 87
    pd.testing.assert_frame_equal(a.attrition, b.attrition)
    for name in a.tables:
        assert helpers.rows(a.tables[name], name) == helpers.rows(b.tables[name], name), name
    assert len(b.tables["therapy_lines"]) > 100  # the comparison is not of empty tables
