"""By-hand OMOP CDM tables for the OMOP tests: frames from row tuples, loaded into DuckDB.

Rows are tuples in the column order below; the columns a by-hand case does not vary get
fixed values (one condition type, quantity 1, no source-value JSON).
"""

from __future__ import annotations

import pandas as pd

COLUMNS = {
    "person": ["person_id", "gender_concept_id", "year_of_birth", "month_of_birth",
               "day_of_birth", "person_source_value"],
    "observation_period": ["person_id", "observation_period_start_date",
                           "observation_period_end_date"],
    "condition_occurrence": ["condition_occurrence_id", "person_id", "condition_concept_id",
                             "condition_start_date", "condition_source_value"],
    "drug_exposure": ["drug_exposure_id", "person_id", "drug_concept_id",
                      "drug_exposure_start_date", "drug_exposure_end_date", "drug_source_value"],
    "measurement": ["measurement_id", "person_id", "measurement_concept_id", "measurement_date",
                    "value_as_number"],
    "observation": ["observation_id", "person_id", "observation_concept_id", "observation_date"],
    "procedure_occurrence": ["procedure_occurrence_id", "person_id", "procedure_concept_id",
                             "procedure_date", "procedure_end_date", "procedure_source_value"],
    "episode": ["episode_id", "person_id", "episode_concept_id", "episode_start_date",
                "episode_end_date", "episode_number"],
    "episode_event": ["episode_id", "event_id", "episode_event_field_concept_id"],
    "concept_ancestor": ["ancestor_concept_id", "descendant_concept_id"],
}
FIXED = {
    "condition_occurrence": {"condition_end_date": None, "condition_type_concept_id": 32817,
                             "condition_status_source_value": None},
    "drug_exposure": {"quantity": 1.0, "sig": None},
    "measurement": {"measurement_source_value": "m", "value_source_value": None},
    "observation": {"value_as_string": None, "observation_source_value": "o"},
}


def cdm_frames(**rows: list[tuple]) -> dict[str, pd.DataFrame]:
    """One frame per table given (``person=[...]``, ``drug_exposure=[...]``, ...)."""
    out = {}
    for name, data in rows.items():
        f = pd.DataFrame(data, columns=COLUMNS[name]).assign(**FIXED.get(name, {}))
        if name == "episode":
            f = f.astype({"episode_number": "Int64"})
        out[name] = f
    return out


def duckdb_cdm(tables: dict[str, pd.DataFrame], drop=()):
    """The tables (but ``drop``) in an in-memory DuckDB, as a connected ``Cdm``."""
    import ibis

    from oncocohort.sources.omop import connect_cdm

    con = ibis.duckdb.connect()
    for name, f in tables.items():
        if name in drop:
            continue
        g = f.copy()
        for c in g.columns:
            if c.endswith("_date"):
                g[c] = pd.to_datetime(g[c])
        schema = {c: ("date" if c.endswith("_date")
                      else "int64" if c.endswith(("_id", "_number", "_of_birth"))
                      else "float64" if g[c].dtype == float else "string") for c in g.columns}
        con.create_table(name, ibis.memtable(g, schema=schema))
    return connect_cdm("duckdb://:memory:", backend=con)
