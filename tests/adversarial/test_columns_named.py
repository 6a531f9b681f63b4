"""Item 6: no column reaches an output unless the spec names it.

A hospital sheet carries the patient's name (姓名), phone number, national ID number, address
and remarks next to the analysis columns. Only the columns the spec maps or names (canonical
columns, cohort-rule columns, baseline and subgroup variables...) flow on into
``datasets/*.csv|parquet`` and every other output; ``validate`` and ``run`` list the ignored
columns (file and names, never a value) and warn about each one that looks like a direct
identifier or free text. Columns needed internally (death date, end-of-treatment reason, the
columns the cohort rules read) are kept: the run's results are those of the demo.
"""

from __future__ import annotations

import pandas as pd

PLANTED = {
    "姓名": lambda i: f"张{i}三",
    "联系电话": lambda i: f"1380013{i:04d}",
    "身份证号": lambda i: f"11010119900307{i:04d}",
    "Home address": lambda i: f"{i} Secret Street",
    "Remarks": lambda i: f"seen by Dr Who {i}",
    "ward": lambda i: f"zq-ward-{i % 3}",
}


def _plant(demo) -> None:
    for name, values in PLANTED.items():
        demo.add_column("patients.csv", name, values)


def test_unnamed_columns_are_listed_and_identifiers_warned(demo):
    _plant(demo)
    out = demo.validate()
    assert out.code == 0, out.output
    assert "patients.csv, row 1: 6 columns of the file are not named by the spec and ignored" \
        in out.output
    for name, kind in (("姓名", "a name"), ("联系电话", "a phone number"),
                       ("身份证号", "a national ID"), ("Home address", "an address"),
                       ("Remarks", "free text")):
        assert f"column '{name}': column '{name}' looks like it holds {kind}" in out.output
    assert "'ward'" in out.output
    assert "Secret Street" not in out.output and "张2三" not in out.output
    assert "13800130002" not in out.output


def test_unnamed_columns_reach_no_output(demo, tmp_path):
    _plant(demo)
    out = demo.run(tmp_path / "out")
    assert out.code == 0, out.output
    assert "looks like it holds a name" in out.output  # run lists them too
    folder = tmp_path / "out"
    patients = pd.read_csv(folder / "datasets" / "patients.csv", dtype=str)
    assert not set(PLANTED) & set(patients.columns)
    # the canonical columns needed internally and the rule columns are still there
    assert {"death_date", "eot_reason", "histology", "prior_lines"} <= set(patients.columns)
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".csv", ".txt", ".html", ".json", ".svg"):
            text = path.read_text(encoding="utf-8")
            # column names may be listed (validation warnings); their values never
            for planted in ("Secret Street", "Dr Who", "张1三", "13800130001", "zq-ward"):
                assert planted not in text, (path.name, planted)
    parquet = folder / "datasets" / "patients.parquet"
    if parquet.exists():
        assert not set(PLANTED) & set(pd.read_parquet(parquet).columns)


def test_a_named_covariate_flows_on(demo, tmp_path):
    """Naming a column (here as a baseline variable) is what lets it through."""
    _plant(demo)
    demo.edit_spec(lambda s: s["baseline"].append("ward"))
    out = demo.run(tmp_path / "out")
    assert out.code == 0, out.output
    patients = pd.read_csv(tmp_path / "out" / "datasets" / "patients.csv", dtype=str)
    assert "ward" in patients.columns and "姓名" not in patients.columns


def test_a_named_identifier_is_warned_as_written(demo):
    _plant(demo)
    demo.edit_spec(lambda s: s["sources"]["patients"].setdefault("columns", {}).update(
        {"patient_name": "姓名"}))
    out = demo.validate()
    assert out.code == 0, out.output
    assert ("column '姓名' looks like it holds a name, a direct identifier, and the spec names "
            "it (patients.patient_name): it will be written to the outputs") in out.output


def test_every_date_the_spec_names_is_a_named_column(demo):
    """A patients.<column> date is named wherever the spec may give one: an endpoint's start,
    events, censoring and competing events, and the status of landmark and time-varying
    analyses; such a column is kept (the derivations need it)."""
    from oncocohort.spec import load_spec
    from oncocohort.study.options import named_columns

    def plant(s):
        s["endpoints"]["ttp"] = {"label": "Time to progression", "events": ["progression"],
                                 "censor": ["last_adequate_assessment"],
                                 "competing": ["patients.other_death"]}
        s["landmark_analyses"] = [{"endpoint": "os", "at": [3], "status": "patients.lm_date"}]
        s["time_varying"] = [{"endpoint": "os", "status": "patients.tv_date"}]

    demo.edit_spec(plant)
    named = named_columns(load_spec(demo.spec_path))
    assert {"other_death", "lm_date", "tv_date"} <= named
