"""Display labels: a subgroup's own label, then the spec's ``labels`` map, then built-ins."""

from __future__ import annotations

from oncocohort.pipeline import demo_spec_path, derive_study, load_study


def test_labels_map_names_baseline_rows_without_a_subgroup_label():
    from oncocohort.analysis import analyse_study
    from oncocohort.report.builders import build_baseline_table

    loaded = load_study(demo_spec_path())
    assert loaded.spec.labels == {"histology": "Histology"}
    analysis = analyse_study(derive_study(loaded))
    assert analysis.labels["histology"] == "Histology"          # from labels:
    assert analysis.labels["ecog_group"] == "ECOG performance status"  # the subgroup's label
    assert analysis.labels["age"] == "Age (years)"              # built in
    table = build_baseline_table(analysis.ard, analysis.labels, analysis.conventions)
    heads = [r[0] for r in table.rows if str(r[0]).startswith("## ")]
    assert "## Histology" in heads and "## histology" not in heads
