"""Value labels, level order and reference levels (``variables:``), and Table 1's display of
yes/no variables and blocks, by hand."""

from __future__ import annotations

from types import MappingProxyType

import pandas as pd
import pytest

from oncocohort.analysis.ard import ard_frame
from oncocohort.analysis.baseline import compute_baseline_rows
from oncocohort.analysis.variables import VariableLevels, apply_levels, reference_label
from oncocohort.derive.subgroups import SubgroupCut, derive_subgroup_variables
from oncocohort.report.builders import build_baseline_table
from oncocohort.report.options import ReportOptions, VariableDisplay

INF = float("inf")


def test_labels_in_the_declared_order_then_the_others():
    p = pd.DataFrame({"site": ["lower", "upper", "middle", "upper", "cardia", None]})
    spec = VariableLevels("site", MappingProxyType({"upper": "Upper", "middle": "Middle",
                                                    "lower": "Lower"}),
                          ("upper", "middle", "lower"))
    out = apply_levels(p, [spec])["site"]
    assert list(out.cat.categories) == ["Upper", "Middle", "Lower", "cardia"]
    assert out.tolist()[:3] == ["Lower", "Upper", "Middle"] and pd.isna(out.iloc[5])


def test_order_by_frequency_ties_in_declared_order():
    p = pd.DataFrame({"drug": ["b", "a", "c", "c", "a", "c"]})
    spec = VariableLevels("drug", MappingProxyType({"a": "A", "b": "B", "c": "C"}),
                          ("a", "b", "c"), by_frequency=True)
    assert list(apply_levels(p, [spec])["drug"].cat.categories) == ["C", "A", "B"]


def test_boolean_and_numeric_codes_are_read_as_the_spec_writes_them():
    p = pd.DataFrame({"ici": [True, False, True], "arm": [2.0, 1.0, 2.0]})
    out = apply_levels(p, [VariableLevels("ici", MappingProxyType({"true": "Pretreated"})),
                           VariableLevels("arm", MappingProxyType({"1": "Standard",
                                                                  "2": "Experimental"}),
                                          ("1", "2"), reference="Standard")])
    assert out["ici"].tolist() == ["Pretreated", "No", "Pretreated"]
    assert list(out["arm"].cat.categories) == ["Standard", "Experimental"]


def test_a_cut_keeps_its_order_and_a_reference_is_a_code_or_label():
    p = derive_subgroup_variables(pd.DataFrame({"lines": [1, 2, 3, 5, 1]}), [SubgroupCut(
        "lines_t1", "lines", ((-INF, 2.0, "1"), (2.0, 3.0, "2"), (3.0, INF, ">=3")))])
    spec = VariableLevels("lines_t1", MappingProxyType({">=3": "≥3"}), (">=3",),
                          reference=">=3")
    out = apply_levels(p, [spec])["lines_t1"]
    assert list(out.cat.categories) == ["≥3", "1", "2"]  # the declared one first
    assert reference_label(spec, list(out.cat.categories)) == "≥3"
    with pytest.raises(ValueError, match="'4' of 'lines_t1' is not one of its levels"):
        reference_label(VariableLevels("lines_t1", reference="4"), ["1", "2"])
    unlabelled = apply_levels(p, [VariableLevels("lines_t1", reference="2")])["lines_t1"]
    assert list(unlabelled.cat.categories) == ["1", "2", ">=3"]


def test_table1_yes_rows_blocks_and_summaries():
    p = pd.DataFrame({"age": [50, 61, 62, 70, 71, 80, 81, 90],
                      "ici": [True, True, False, True, False, False, True, True],
                      "taxane": [True, False, False, False, False, False, False, True],
                      "radio": [False] * 7 + [True]})
    rows = compute_baseline_rows(p, ["age", "ici", "taxane", "radio"])
    options = ReportOptions(
        title="t", data_cutoff=pd.Timestamp("2025-01-01").date(), index_date_label="x",
        labels={"ici": "Immunotherapy", "taxane": "Taxane", "radio": "Radiotherapy",
                "age": "Age"},
        variables={"age": VariableDisplay(summary="mean_sd", digits=2),
                   "ici": VariableDisplay(yes_only=True, block="Prior therapy"),
                   "taxane": VariableDisplay(yes_only=True, block="Prior therapy"),
                   "radio": VariableDisplay(yes_only=True)})
    t = build_baseline_table(ard_frame(rows), options)
    assert [r[0] for r in t.rows] == ["## Age", "  Mean (SD)", "## Prior therapy",
                                      "  Immunotherapy", "  Taxane", "Radiotherapy"]
    # mean 565/8 = 70.625 (exact in binary: printed 70.62, half to even); SD by hand: the
    # squares about the mean sum to 1163.875, / (n - 1) = 7
    assert t.rows[1][1] == f"70.62 ({(1163.875 / 7) ** 0.5:.2f})" == "70.62 (12.89)"
    assert t.rows[3][1] == "5 (62.5)" and t.rows[4][1] == "2 (25.0)"
    assert t.rows[5][1] == "1 (12.5)"
