"""Display labels: a subgroup's own label, then the spec's ``labels`` map, then built-ins."""

from __future__ import annotations

from oncocohort.analysis import analyse_study
from oncocohort.report.builders import build_baseline_table
from oncocohort.study.demo import demo_spec_path
from oncocohort.study.load import load_study
from oncocohort.study.run import derive_loaded_study


def test_labels_map_names_baseline_rows_without_a_subgroup_label():
    loaded = load_study(demo_spec_path())
    options = loaded.options.report
    assert options.label("histology") == "Histology"              # from labels:
    assert options.label("ecog_group") == "ECOG performance status"  # the subgroup's label
    assert options.label("age") == "Age (years)"                  # built in
    analysis = analyse_study(derive_loaded_study(loaded), loaded.options.analysis)
    table = build_baseline_table(analysis.ard, options)
    heads = [r[0] for r in table.rows if str(r[0]).startswith("## ")]
    assert "## Histology" in heads and "## histology" not in heads
