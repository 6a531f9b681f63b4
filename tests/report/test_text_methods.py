"""Results sentences and the methods paragraph: numbers from the ARD, conventions stated."""

from dataclasses import replace

import pytest

from oncocohort.analysis.ard import ard_value
from oncocohort.report.text import results_sentences
from oncocohort.report.wording import convention_footnotes, methods_paragraph, software_versions


@pytest.mark.by_hand
def test_sentences_carry_the_ard_numbers(analysis, report_options):
    s = results_sentences(analysis.ard, report_options)
    assert s[0] == "12 patients were included. Their median age was 63 years (range 48-75)."
    lo = ard_value(analysis.ard, analysis="response", variable="orr", statistic="lower")
    assert f"objective response rate was 25.0% (95% CI {lo:.1f}-57.2%)" in s[1]
    os_ = [x for x in s if x.startswith("Overall survival")][0]
    assert "8 events in 12 patients (66.7% maturity)" in os_
    assert "the median was 14.0 months (95% CI 4.0-NR)" in os_
    assert "at 12 months 58.3%" in os_  # S(12) = 7/12
    dor = [x for x in s if x.startswith("Duration of response")][0]
    assert "at 12 months 33.3%" in dor  # last DoR time is 22: 12 months estimable
    assert s[-1] == ("Treatment-related adverse events of any grade occurred in 8 patients "
                     "(66.7%) and of grade 3 or higher in 2 patients (16.7%).")


@pytest.mark.by_hand
def test_sentences_suppress_small_counts(analysis, report_options):
    s = results_sentences(analysis.ard, replace(report_options, small_cell_k=5))
    assert "objective response rate was <5 patients" in s[1]  # 3 responders
    assert "grade 3 or higher in <5 patients." in s[-1]
    dor = [x for x in s if x.startswith("Duration of response")][0]
    assert dor.startswith("Duration of response: <5 events in <5 patients")


def test_methods_states_the_conventions(report_options):
    versions = software_versions()
    assert set(versions) == {"python", "numpy", "scipy", "pandas", "matplotlib", "oncocohort"}
    text = methods_paragraph(report_options, {"os": "Overall survival"}, versions)
    for phrase in ("30.4375 days", "Clopper-Pearson", "log-log scale", "Efron ties",
                   "reverse Kaplan-Meier", "p < 0.05 (Wald test)", "2025-01-01",
                   f"numpy {versions['numpy']}", "unconfirmed"):
        assert phrase in text
    other = replace(report_options, conventions=replace(
        report_options.conventions, proportion_ci="wilson", km_conf_type="plain"))
    text = methods_paragraph(other, {}, versions)
    assert "Wilson score" in text and "plain scale" in text


def test_median_ci_convention_is_stated_as_computed(report_options):
    spss = replace(report_options, conventions=replace(report_options.conventions,
                                                       median_ci="symmetric"))
    for options, words in ((report_options, "Brookmeyer-Crowley"), (spss, "SPSS")):
        notes = " ".join(convention_footnotes(options, "km"))
        text = methods_paragraph(options, {"os": "Overall survival"}, software_versions())
        assert words in notes
        assert ("Brookmeyer and Crowley" in text) == (words == "Brookmeyer-Crowley")


def test_every_ties_and_screen_value_is_worded_as_in_prose(report_options):
    """Each allowed ``cox_ties`` and ``screen.p_from`` has its wording, names capitalised
    (Efron, Breslow, Wald), in the methods and in Table 2's footnote."""
    from typing import get_args

    from oncocohort.canon.conventions import CoxTies, ScreenTest
    from oncocohort.report.wording import COX_TIES_NAMES, SCREEN_TEST_NAMES

    assert set(COX_TIES_NAMES) == set(get_args(CoxTies))
    assert set(SCREEN_TEST_NAMES) == set(get_args(ScreenTest))
    for ties, test in (("breslow", "lr"), ("efron", "logrank")):
        options = replace(report_options,
                          conventions=replace(report_options.conventions, cox_ties=ties),
                          screen=replace(report_options.screen, p_from=test))
        text = methods_paragraph(options, {"os": "Overall survival"}, software_versions(),
                                 sections=("subgroups",))
        note = convention_footnotes(options, "cox")[0]
        for words in (text, note):
            assert COX_TIES_NAMES[ties] in words and ties not in words
            assert f"({SCREEN_TEST_NAMES[test]} test)" in words


@pytest.mark.by_hand
def test_cut_points_are_worded_from_the_groups_breaks(report_options):
    """lung-os's ECOG ``cut: [0, 1, 2]`` with three labels makes the groups [0, 1), [1, 2) and
    [2, inf): the breaks are 1 and 2, 0 only the lowest value of the first group (the review
    found "cut at 0, 1, 2"). With one label more than cuts every cut is a break."""
    import pandas as pd

    from oncocohort.derive.subgroups import SubgroupCut, derive_subgroup_variables
    from oncocohort.spec.model import SubgroupDerive

    x = pd.DataFrame({"ecog": [-1.0, 0.0, 0.5, 1.0, 1.9, 2.0, 3.0]})
    cases = (((0.0, 1.0, 2.0), ("0", "1", "2-3"),
              "fixed cut points 1 and 2, the lowest group from 0)",
              [None, "0", "0", "1", "1", "2-3", "2-3"]),
             ((1.0, 2.0), ("0", "1", "2-3"), "fixed cut points 1 and 2)",
              ["0", "0", "0", "1", "1", "2-3", "2-3"]),
             ((1.0,), ("0", "1-3"), "fixed cut point 1)", ["0", "0", "0", "1-3", "1-3", "1-3",
                                                        "1-3"]),
             ((0.0, 1.0), ("0", "1-3"), "fixed cut point 1, the lowest group from 0)",
              [None, "0", "0", "1-3", "1-3", "1-3", "1-3"]))
    for cuts, labels, words, groups in cases:
        spec = SubgroupDerive.model_validate({"from": "ecog", "cut": list(cuts),
                                              "labels": list(labels)})
        derived = derive_subgroup_variables(x, [SubgroupCut("ecog_group", "ecog",
                                                            tuple(spec.groups()))])
        assert derived["ecog_group"].tolist() == groups
        options = replace(report_options, facts=replace(
            report_options.facts, subgroup_cuts=(("ecog_group", "ecog", cuts, labels),)))
        text = methods_paragraph(options, {}, software_versions(), sections=("subgroups",))
        assert f"ECOG ({' vs '.join(labels)}, {words}" in text, text
        assert "ECOG performance status cut" not in text  # the label once
        assert "study specification" not in text  # what was set, said (review)
