"""The demo's OMOP cohort definition on the synthetic hospital database (DuckDB, embedded).

Two independent paths must agree: the tabular demo (``simulate_escc`` tables through
``select_cohort``) and the OMOP path (the same patients converted to OMOP CDM rows among
background patients, selected by concept sets, an index event and rules evaluated in DuckDB,
then mapped back to canonical tables).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from oncocohort.cohort import Rule, select_cohort
from oncocohort.simulate import simulate_escc
from oncocohort.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples" / "escc-anlotinib-pd1" / "study-omop.yaml"


@pytest.mark.reference
def test_attrition_is_the_published_one(duckdb_extraction):
    # Published flow (reference study): 231 screened; 113 did not meet the inclusion
    # criteria; 31 excluded (16 incomplete records, 11 other malignancy, 4 brain metastases);
    # 87 analysed.
    a = duckdb_extraction.attrition.set_index("rule")
    assert a.loc["", "n_remaining"] == 231
    inc = a[a["kind"] == "inclusion"]
    exc = a[a["kind"] == "exclusion"]
    assert inc["n_excluded"].sum() == 113
    assert exc["n_excluded"].sum() == 31
    assert exc.loc[["records_incomplete", "other_malignancy", "brain_metastases"],
                   "n_excluded"].tolist() == [16, 11, 4]
    assert a["n_remaining"].iloc[-1] == 87
    assert (a["n_before"] - a["n_excluded"] == a["n_remaining"]).all()


@pytest.mark.regression
def test_attrition_equals_the_tabular_demo(duckdb_extraction):
    import pandas as pd
    import yaml

    spec = yaml.safe_load((ROOT / "src/oncocohort/data/demo/study.yaml").read_text())["cohort"]
    rules = [Rule(r["name"], k, r["rule"], r["label"]) for k in ("inclusion", "exclusion")
             for r in spec[k]]
    tab = select_cohort(simulate_escc()["patients"], rules).attrition
    cols = ["step", "kind", "rule", "n_before", "n_excluded", "n_remaining"]
    pd.testing.assert_frame_equal(duckdb_extraction.attrition[cols], tab[cols])


@pytest.mark.regression
@pytest.mark.parametrize("name", ["patients", "therapy", "therapy_lines", "lesions",
                                  "adverse_events"])
def test_canonical_tables_equal_the_tabular_demo(duckdb_extraction, name, helpers):
    tab = simulate_escc()[name]
    got = duckdb_extraction.tables[name]
    ids = set(duckdb_extraction.tables["patients"]["subject_id"])
    tab = tab[tab["subject_id"].isin(ids)]
    assert len(ids) == 87
    missing = [c for c in tab.columns if c not in got.columns]
    assert missing == []
    assert helpers.rows(got, name, tab.columns) == helpers.rows(tab, name, tab.columns)


def test_background_patients_with_the_study_drugs_are_not_screened(duckdb_path, omop_spec):
    # Lung cancer patients receive anlotinib and pembrolizumab (the index event!) but have no
    # oesophageal cancer: the entry condition keeps them out.
    import duckdb

    con = duckdb.connect(str(duckdb_path), read_only=True)
    n = con.execute(
        "select count(distinct d.person_id) from drug_exposure d join drug_exposure p "
        "on d.person_id = p.person_id and d.drug_source_value = 'anlotinib' and "
        "p.drug_source_value = 'pembrolizumab' where d.person_id > 231").fetchone()[0]
    con.close()
    assert n > 0


def test_small_counts_are_suppressed(duckdb_extraction):
    from oncocohort.sources.omop.extract import suppress_small_counts

    s = suppress_small_counts(duckdb_extraction.attrition, 5).set_index("rule")
    assert s.loc["adult", "n_excluded"] is pd_na()
    assert s.loc["brain_metastases", "n_excluded"] is pd_na()
    assert s.loc["adenocarcinoma", "n_excluded"] == 0  # zero is not a small cell
    assert s.loc["other_malignancy", "n_excluded"] == 11
    assert suppress_small_counts(duckdb_extraction.attrition, None).equals(
        duckdb_extraction.attrition)


def pd_na():
    import pandas as pd

    return pd.NA


def test_the_example_spec_points_at_a_duckdb_file():
    from oncocohort.sources.omop import parse_database_url

    study = load_spec(SPEC)
    db, spec = study.database, study.omop
    assert parse_database_url(db.url, db.base_dir)[0] == "duckdb"
    assert [r.name for r in spec.inclusion][:2] == ["escc", "ecog"]
