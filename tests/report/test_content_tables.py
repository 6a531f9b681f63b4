"""The demo report shows what the paper reports (issue 14): each cell checked against its ARD
row, on the bundled demo."""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.analysis.ard import ard_value
from oncocohort.report.builders import build_exposure_table, build_response_table
from oncocohort.report.builders_survival import build_survival_table
from oncocohort.report.text import results_sentences
from oncocohort.report.format import (
    fmt_est_ci,
    fmt_est_sd,
    fmt_median_range,
    fmt_n_pct,
    fmt_num,
)


@pytest.fixture(scope="module")
def demo():
    from oncocohort.study.demo import demo_spec_path
    from oncocohort.study.load import load_study
    from oncocohort.study.run import run_study

    results = run_study(load_study(demo_spec_path()))
    return results.analysis, results.options.report


def _rows(table, label, heading=None):
    """Rows labelled ``label`` (under the section ``heading`` when given)."""
    out, current = [], None
    for r in table.rows:
        if table.is_heading(r):
            current = r[0][3:]
            continue
        if r[0].strip() == label and (heading is None or current == heading):
            out.append(r)
    assert len(out) == 1, (label, heading, out)
    return out[0]


def _v(ard, **where):
    return ard_value(ard, **where)


def test_exposure_table_shows_modifications_intensity_and_prior_ici(demo):
    analysis, options = demo
    ard = analysis.ard
    t = build_exposure_table(ard, options)
    an = {"analysis": "exposure", "group_var": "drug", "group_level": "anlotinib"}
    rdi = {"variable": "relative_dose_intensity", **an}
    assert _rows(t, "Relative dose intensity, %, mean (SD)", "Anlotinib")[1] == fmt_est_sd(
        _v(ard, statistic="mean", **rdi), _v(ard, statistic="sd", **rdi)) == "87.6 (11.1)"
    assert _rows(t, "Relative dose intensity, %, median (range)", "Anlotinib")[1] == (
        fmt_median_range(_v(ard, statistic="median", **rdi), _v(ard, statistic="min", **rdi),
                         _v(ard, statistic="max", **rdi)))
    assert _rows(t, "At least one dose reduction", "Anlotinib")[1] == "14 (16.1)"
    # the reasons that name an adverse event spelt as Table 8 spells it (CTCAE), not as recorded
    for reason in ("Palmar-plantar erythrodysesthesia syndrome", "Hypertension", "Fatigue"):
        n = _v(ard, variable="reduction_reason", category=reason, statistic="n", **an)
        assert _rows(t, reason, "Anlotinib")[1] == fmt_num(n, 0)
    assert not any(r[0].strip() == "Hand-foot syndrome" for r in t.rows)
    assert _rows(t, "At least one dose interruption", "Anlotinib")[1] == fmt_n_pct(
        _v(ard, variable="dose_interruption", statistic="n", **an),
        _v(ard, variable="dose_interruption", statistic="pct", **an))
    # the paper's 3 PD-1 delays: tislelizumab 2 + pembrolizumab 1; 3 patients in the regimen
    assert _rows(t, "At least one dose delay", "Tislelizumab")[1] == "2 (5.1)"
    assert _rows(t, "At least one dose delay", "Pembrolizumab")[1] == "1 (5.9)"
    assert _rows(t, "At least one dose delay", "Regimen (longest drug)")[1] == "3 (3.4)"
    prior = {"analysis": "prior_therapy", "variable": "ici_free_interval"}
    assert _rows(t, "Months since the last dose, median (IQR) (n=66)")[1] == fmt_median_range(
        _v(ard, statistic="median", **prior), _v(ard, statistic="q1", **prior),
        _v(ard, statistic="q3", **prior)) == "6.7 (3.3-9.1)"
    # the section named as Table 1 names the variable (review: one name per idea)
    assert _rows(t, "Patients", "Previous immunotherapy")[1] == "66 (75.9)"
    assert not any("Prior immune checkpoint inhibitor" in r[0] for r in t.rows)
    assert any("of the patients given the drug" in f for f in t.footnotes)


def test_exposure_drugs_by_frequency_and_disposition_as_the_paper(demo):
    """Item 3: the drugs by the patients given them (then label), the regimen last; the
    disposition as the paper gives it (11 on treatment, 76 discontinued with the reasons, the
    most frequent first), the deaths in a block of their own."""
    analysis, options = demo
    ard = analysis.ard
    t = build_exposure_table(ard, options)
    heads = [r[0][3:] for r in t.rows if t.is_heading(r)]
    drugs = heads[:heads.index("Regimen (longest drug)")]
    n = {d: _v(ard, analysis="exposure", group_var="drug", group_level=d.lower(),
               variable="patients", statistic="n") for d in drugs}
    assert drugs == sorted(drugs, key=lambda d: (-n[d], d))
    assert drugs == ["Anlotinib", "Tislelizumab", "Camrelizumab", "Pembrolizumab"]
    assert heads[-2:] == ["Disposition at data cut-off", "Vital status at data cut-off"]
    block = [r for r in t.rows[next(i for i, r in enumerate(t.rows)
                                    if r[0] == "## Disposition at data cut-off") + 1:]]
    block = block[:next(i for i, r in enumerate(block) if t.is_heading(r))]
    d = {"analysis": "disposition"}
    assert block[0] == ("  On treatment", fmt_n_pct(
        _v(ard, variable="status", category="on treatment at data cut-off", statistic="n", **d),
        _v(ard, variable="status", category="on treatment at data cut-off", statistic="pct",
           **d))) == ("  On treatment", "11 (12.6)")
    assert block[1] == ("  Discontinued", "76 (87.4)")  # the paper's 76
    reasons = [r[0].strip() for r in block[2:]]
    counts = [_v(ard, variable="status", category=r.lower(), statistic="n", **d)
              for r in reasons]
    assert counts == sorted(counts, reverse=True) and sum(counts) == 76
    assert all(r[0].startswith("    ") for r in block[2:])
    assert "Deaths" not in {r[0].strip() for r in block}
    assert _rows(t, "Died", "Vital status at data cut-off")[1] == fmt_n_pct(
        _v(ard, variable="deaths", statistic="n", **d),
        _v(ard, variable="deaths", statistic="pct", **d)) == "59 (67.8)"


def test_response_table_shows_time_to_response_change_and_ne_reasons(demo):
    analysis, options = demo
    ard = analysis.ard
    t = build_response_table(ard, options)
    ttr = {"analysis": "response", "variable": "time_to_response"}
    # the counts on rows of their own, not beside a statistic in the n (%) column (review)
    assert _rows(t, "Responders", "Time to response, months")[1:] == (
        fmt_num(_v(ard, statistic="n", **ttr), 0), "") == ("19", "")
    row = _rows(t, "Median (range)", "Time to response, months")
    assert row[1] == ""
    assert row[2] == fmt_median_range(_v(ard, statistic="median", **ttr),
                                      _v(ard, statistic="min", **ttr),
                                      _v(ard, statistic="max", **ttr))
    assert row[2].startswith("1.6 (")  # the paper: 1.6 months
    chg = {"analysis": "response", "variable": "best_pct_change"}
    assert _rows(t, "Patients with a post-baseline measurement",
                 "Best change in the sum of target lesions, %")[1] == "82"
    row = _rows(t, "Mean (SD)", "Best change in the sum of target lesions, %")
    assert row[1] == ""
    assert row[2] == fmt_est_sd(_v(ard, statistic="mean", **chg), _v(ard, statistic="sd", **chg))
    assert _rows(t, "Median (range)", "Best change in the sum of target lesions, %")[2].count(
        " to ") == 1  # a negative range is not written "-66.3-53.6"
    ne = _rows(t, "No post-baseline assessment")
    assert ne[1] == fmt_n_pct(
        _v(ard, analysis="response", variable="ne_reason",
           category="no post-baseline assessment", statistic="n"),
        _v(ard, analysis="response", variable="ne_reason",
           category="no post-baseline assessment", statistic="pct")) == "5 (5.7)"


def test_follow_up_is_labelled_and_given_for_overall_survival_only(demo):
    """Item 6: the median observation time (the paper's 9.5 months, range 0.7-33.6) and the
    reverse Kaplan-Meier median, each labelled; nothing called follow-up for PFS or DoR."""
    analysis, options = demo
    ard = analysis.ard
    fu_rows = ard.loc[ard["variable"].isin(["follow_up", "observation_time"])]
    assert set(fu_rows["endpoint"]) == {"os"} and set(fu_rows["analysis"]) == {"survival"}
    t = build_survival_table(ard, options)
    assert t.header == ("", "Overall survival", "Progression-free survival",
                        "Duration of response")
    ow = {"analysis": "survival", "endpoint": "os", "variable": "observation_time"}
    fw = {"analysis": "survival", "endpoint": "os", "variable": "follow_up"}
    obs = _rows(t, "Median observation time, months (range)")
    assert obs[1:] == (fmt_median_range(_v(ard, statistic="median", **ow),
                                        _v(ard, statistic="min", **ow),
                                        _v(ard, statistic="max", **ow)), "", "")
    assert obs[1] == "9.8 (0.8-32.5)"
    rev = _rows(t, "Median follow-up, reverse Kaplan-Meier, months (95% CI)")
    assert rev[1:] == (fmt_est_ci(_v(ard, statistic="median", **fw),
                                  _v(ard, statistic="lower", **fw),
                                  _v(ard, statistic="upper", **fw)), "", "")
    # the range is of every observed time, deaths included: the OS times' range
    os_times = analysis.endpoints["os"].km
    assert _v(ard, statistic="max", **ow) == max(os_times.table["time"])
    assert any("deaths included" in f for f in t.footnotes)
    assert not any("follow-up" in r[0].lower() and r[2] for r in t.rows)
    text = " ".join(results_sentences(ard, options))
    assert text.count("follow-up") == 1 and "observation time" in text


def test_table2_spanners_events_global_p_model_size_and_ph_check(demo):
    """Item 8: "Univariable / Multivariable" spanners over distinct column names, events per
    level, the global Wald p of a 3-level factor on its reference level, the multivariable
    model's n, and the proportional-hazards check in a footnote, all from the ARD."""
    from oncocohort.report.builders_survival import build_subgroup_table
    from oncocohort.report.format import fmt_p

    analysis, options = demo
    ard = analysis.ard
    t = build_subgroup_table(ard, "os", options)
    assert len(set(t.header)) == len(t.header)  # no two columns called "p"
    spans = {s.label: (s.start, s.stop) for s in t.spanners}
    assert spans == {"Univariable": (5, 7), "Multivariable": (7, 9)}
    assert t.header[spans["Univariable"][0]].startswith("HR")
    assert t.header[spans["Multivariable"][0]].startswith("Adjusted HR")
    s = {"analysis": "subgroup", "endpoint": "os", "group_var": "ecog_group"}
    row = _rows(t, "1-2", "ECOG performance status")
    assert row[1] == fmt_num(_v(ard, group_level="1-2", variable="patients", statistic="n",
                                **s), 0)
    assert row[2] == fmt_num(_v(ard, group_level="1-2", variable="events", statistic="n",
                                **s), 0)
    ref = _rows(t, "Camrelizumab", "PD-1 antibody")  # 3 levels: global p on the reference
    glob = _v(ard, analysis="cox_univariable", endpoint="os", group_var="pd1_antibody",
              variable="global_wald", statistic="p")
    assert ref[5:7] == ("1 (reference)", fmt_p(glob) + "\u2020")
    two = _rows(t, "0", "ECOG performance status")  # 2 levels: its p is the level's own
    assert two[6] == ""
    m = {"analysis": "cox_multivariable", "endpoint": "os"}
    n = _v(ard, variable="patients", statistic="n", **m)
    notes = " ".join(t.footnotes)
    assert f"Multivariable model: {fmt_num(n, 0)} of 87 patients" in notes
    assert f"global p = {fmt_p(_v(ard, variable='ph_test', group_var='', statistic='p', **m))}" in notes
    assert "ECOG performance status p = " in notes and "previous immunotherapy p = " in notes
    assert "Wald test" in notes


def test_safety_tables_grades_overview_composites_and_spelling(demo):
    """Item 7: grade 1-2, 3, 4, 5 columns (AET04), the overview (AET01/DST01), composite
    categories footnoted, one spelling convention (CTCAE's US spelling)."""
    import re

    from oncocohort.report.builders import build_safety_overview_table, build_safety_table

    analysis, options = demo
    ard = analysis.ard
    t = build_safety_table(ard, options)
    assert t.header == ("Adverse event", "Any grade, n (%)", "Grade 1-2, n (%)",
                        "Grade 3, n (%)", "Grade 4, n (%)", "Grade 5, n (%)",
                        "Grade \u22653, n (%)")
    w = {"analysis": "safety", "group_var": "population", "group_level": "TRAE",
         "variable": "Anemia"}
    cats = ("any grade", "grade 1-2", "grade 3", "grade 4", "grade 5", "grade >=3")
    assert _rows(t, "Anemia")[1:] == tuple(
        fmt_n_pct(_v(ard, category=c, statistic="n", **w),
                  _v(ard, category=c, statistic="pct", **w)) for c in cats)
    assert _rows(t, "Anemia")[4] == "1 (1.1)"  # a grade 4 no longer hidden in ">=3"
    notes = " ".join(t.footnotes)
    assert ("Liver function abnormality: Alanine aminotransferase increased (25), Aspartate "
            "aminotransferase increased (4), Blood bilirubin increased (9)") in notes
    british = re.compile(r"haem|anaem|oedem|diarrhoe|oesoph", re.IGNORECASE)
    assert not any(british.search(r[0]) for r in t.rows) and not british.search(notes)
    o = build_safety_overview_table(ard, options)
    s = {"analysis": "safety"}
    assert _rows(o, "Treatment-related death (grade 5)")[1] == "0 (0.0)"
    assert _rows(o, "Serious adverse event", "Treatment-related")[1] == fmt_n_pct(
        _v(ard, group_var="population", group_level="TRAE", variable="serious",
           statistic="n", **s),
        _v(ard, group_var="population", group_level="TRAE", variable="serious",
           statistic="pct", **s))
    assert _rows(o, "Any adverse event", "All causality")[1] == "83 (95.4)"
    assert _rows(o, "Any adverse event", "Treatment-related")[1] == "80 (92.0)"
    assert _rows(o, "Treatment discontinued for an adverse event")[1] == "6 (6.9)"
    assert _rows(o, "Dose reduced for an adverse event")[1] == "14 (16.1)"  # the paper: 14
    assert _rows(o, "Dose interrupted for an adverse event")[1] == fmt_n_pct(
        _v(ard, variable="interrupted_for_ae", statistic="n", **s),
        _v(ard, variable="interrupted_for_ae", statistic="pct", **s))
    assert any(f.startswith("Dose interrupted for an adverse event: ") for f in o.footnotes)
    assert _rows(o, "Death within 30 days of the last dose")[1] == fmt_n_pct(
        _v(ard, variable="death_30d_last_dose", statistic="n", **s),
        _v(ard, variable="death_30d_last_dose", statistic="pct", **s))


def test_methods_say_what_the_code_did_once(demo):
    """Item 11: response derived from the lesions, the SD minimum and the NE rule, endpoint
    definitions and censoring, the cut-points and their origin, two-sided tests, the RDI
    definition, AE attribution and grouping; no sentence twice; labels in prose."""
    import re

    from oncocohort.problems import Problems
    from oncocohort.report.figure_steps import build_drawn_report

    analysis, options = demo
    content = build_drawn_report(analysis, options, Problems.of([]))
    text = content.methods
    measured = _v(analysis.ard, analysis="response", variable="lesion_measured", statistic="n")
    for phrase in (f"derived from the lesion measurements ({measured:.0f} patients",
                   "stable disease counted only from day 42",
                   "not evaluable (NE) without a post-baseline assessment",
                   "Progression-free survival ran from the start of anlotinib plus PD-1 antibody "
                   "to progression or death, whichever came first; patients without an event "
                   "were censored at the last adequate tumor assessment or, failing that, the "
                   "index date.",
                   "Overall survival ran from the start of anlotinib plus PD-1 antibody to "
                   "death; patients without an event were censored at the last contact.",
                   "age (years; <63 vs \u226563, cut at 63, the patients' median)",
                   "ECOG performance status (0 vs 1-2, fixed cut point 1)",
                   "number of metastatic sites (<3 vs \u22653, fixed cut point 3)",
                   "(overall survival, progression-free survival) and the first response date "
                   "(duration of response)",
                   "(Efron ties, Wald intervals)", "p < 0.05 (Wald test)",
                   "All p-values are two-sided.",
                   "Relative dose intensity was the dose given divided by the dose planned",
                   "treatment-related when recorded as related or attributed to a drug of the "
                   "regimen (anlotinib, tislelizumab, camrelizumab, pembrolizumab)",
                   "(nausea and vomiting, liver function abnormality, hemorrhage; each "
                   "category's terms are footnoted)", "scaled Schoenfeld residuals",
                   "median observation time"):
        assert phrase in text, phrase
    for raw in ("from the column", "efron", "wald test", "Overall survival,", "(years) ("):
        assert raw not in text, raw
    sentences = re.split(r"(?<=\.) (?=[A-Z])", text)
    assert len(sentences) == len(set(sentences))
    # labels inside sentences in prose case: captions and Table 4's footnote too
    captions = {f.name: f.caption for f in content.figures}
    assert captions["km_os_prior_ici"].startswith("Overall survival by previous immunotherapy.")
    assert captions["km_os"].startswith("Kaplan-Meier estimate of overall survival (n = 87).")
    survival = next(t for t in content.tables if t.name == "survival")
    assert any("(overall survival, progression-free survival) and the first response date "
               "(duration of response)" in f for f in survival.footnotes)
    # the data-quality section counts each kind of missing data, from the ARD
    notes = " ".join(content.notes)
    assert "not evaluable (NE) for 5 patients: no post-baseline assessment." in notes
    day1 = _v(analysis.ard, analysis="survival", endpoint="pfs", variable="censored_day1",
              statistic="n")
    assert f"Progression-free survival: {day1:.0f} patient" in notes


def test_missing_data_notes_count_the_fixture(analysis, report_options):
    from oncocohort.report.text import missing_data_notes

    notes = missing_data_notes(analysis.ard, report_options)
    assert notes[0] == ("Missing baseline values: age (years), 1 patient (shown as Missing in "
                        "Table 1; left out of that variable's subgroup analyses).")


def test_the_software_is_named_once(written_report):
    """Item 11, no sentence repeated: the methods' last sentence names the software; the
    reports do not add a second "Software:" line."""
    out, _ = written_report
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Software:" not in page and page.count("Analyses used Python") == 1


def test_a_landmark_rate_not_estimable_reads_ne(demo):
    """A landmark rate beyond the last observed time (DoR at 24 months) is "NE" in Table 4
    (the footnote says what NE means), never "NE (NE-NE)"."""
    analysis, options = demo
    ard = analysis.ard
    lw = {"analysis": "survival", "endpoint": "dor", "variable": "landmark", "category": "24"}
    assert _v(ard, statistic="pct", **lw) != _v(ard, statistic="pct", **lw)  # NaN in the ARD
    t = build_survival_table(ard, options)
    dor = t.header.index("Duration of response")
    assert _rows(t, "24-month rate, % (95% CI)")[dor] == "NE"
    assert not any("NE-NE" in c or "NE (NE" in c for r in t.rows for c in r)
    assert ("NE, not estimable: a rate at a time after the curve ends (no patient followed "
            "that long).") in t.footnotes


def test_a_landmark_rate_before_any_event_has_no_ne_interval(demo):
    """No event by the landmark: 100% whose log-log interval is not estimable at either end
    (as R's survfit gives NA) prints "100.0 (NE)" in Table 4 and "(95% CI not estimable)" in
    the results and the figure caption, never "100.0% (95% CI NE-NE%)"."""
    import numpy as np

    from oncocohort.analysis.ard import ard_frame
    from oncocohort.analysis.survival import compute_survival_rows
    from oncocohort.report._ard_lookup import ArdLookup
    from oncocohort.report.assemble import km_caption

    analysis, options = demo
    ard = analysis.ard
    _, rows = compute_survival_rows(np.array([3.0, 14.0, 20.0, 26.0, 30.0]),
                                    np.array([0, 0, 0, 1, 0]), endpoint="os", unit="months",
                                    landmarks=(12.0, 24.0))
    os_rows = ard_frame(rows)
    lw = {"analysis": "survival", "endpoint": "os", "variable": "landmark", "category": "12"}
    assert _v(os_rows, statistic="pct", **lw) == 100.0
    assert _v(os_rows, statistic="lower", **lw) != _v(os_rows, statistic="lower", **lw)
    ard = pd.concat([ard[ard.endpoint != "os"], os_rows], ignore_index=True)
    t = build_survival_table(ard, options)
    assert _rows(t, "12-month rate, % (95% CI)")[t.header.index("Overall survival")] == (
        "100.0 (NE)")
    text = " ".join(results_sentences(ard, options))
    assert "at 12 months 100.0% (95% CI not estimable)" in text and "NE-NE" not in text
    caption = km_caption(ArdLookup(ard), options, analysis="survival", endpoint="os",
                         group_var="", group_level="")
    assert "12-month rate 100.0% (95% CI not estimable)" in caption and "NE" not in caption


def test_disease_control_rate_has_one_definition_the_one_counted(demo):
    """The methods and Table 3 name the same best responses for the DCR (the reviewer found
    "(CR + PR + SD)" in one and "(CR + PR + SD + non-CR/non-PD)" in the other), and they are
    the ones the ARD's DCR counts: its n is the sum of those best responses' n."""
    import re

    from oncocohort.report.wording import methods_paragraph

    analysis, options = demo
    ard = analysis.ard
    label = next(r[0] for r in build_response_table(ard, options).rows
                 if r[0].startswith("Disease control rate"))
    in_table = re.match(r"Disease control rate \(([^)]*)\)", label).group(1)
    methods = methods_paragraph(options, {}, {}, ard=ard)
    in_methods = re.findall(r"disease control rate \(([^)]*)\)", methods)
    assert in_methods == [in_table] == ["CR + PR + SD + non-CR/non-PD"]
    codes = [c.upper() for c in in_table.split(" + ")]
    bor = {"analysis": "response", "variable": "bor", "statistic": "n"}
    assert _v(ard, analysis="response", variable="dcr", statistic="n") == sum(
        _v(ard, category=c, **bor) for c in codes)


def test_minus_signs_and_p_clauses(demo):
    """The waterfall's caption reads '+20% and −30%' (U+2212), every negative number and
    formula of the demo report likewise; a p-value in a sentence reads 'p = 0.043'."""
    from _report_texts import report_texts, typography_faults
    from oncocohort.problems import Problems
    from oncocohort.report.figure_steps import build_drawn_report

    analysis, options = demo
    content = build_drawn_report(analysis, options, Problems.of([]))
    captions = {f.name: f.caption for f in content.figures}
    assert "Dashed lines: +20% and \u221230%." in captions["waterfall"]
    assert typography_faults(report_texts(content)) == []


def test_one_variable_through_the_screen_is_no_multivariable_model(demo):
    """Demo PFS: only previous immunotherapy passes the screen (the review found its
    'Adjusted HR 0.53 (0.31-0.92)' equal to the univariable HR, footnoted as adjusted). No
    multivariable model is fitted: no ARD rows but the screen's, its Table 2 cells "—" with
    the footnote saying why, no 'adjusted' footnote, no multivariable forest plot; OS, with
    three variables through, keeps its model."""
    from oncocohort.problems import Problems
    from oncocohort.report.builders_survival import build_subgroup_table
    from oncocohort.report.figure_steps import build_drawn_report

    analysis, options = demo
    ard = analysis.ard
    multi = ard[(ard.analysis == "cox_multivariable") & (ard.endpoint == "pfs")]
    screen = multi[multi.variable == "screen"]
    assert screen.loc[screen.value == 1, "group_var"].tolist() == ["prior_ici"]
    assert (multi.variable == "screen").all()
    assert _v(ard, analysis="cox_univariable", endpoint="pfs", group_var="prior_ici",
              group_level="Yes", variable="hr", statistic="p") < 0.05
    t = build_subgroup_table(ard, "pfs", options)
    i = t.header.index("Adjusted HR (95% CI)")
    cells, heading = {}, ""
    for r in t.rows:
        if t.is_heading(r):
            heading = r[0][3:]
        else:
            cells[heading, r[0].strip()] = tuple(r[i:])
    ici = {k: v for k, v in cells.items() if k[0] == "Previous immunotherapy"}
    assert list(ici.values()) == [("\u2014", "")] * 2
    assert all(v == ("", "") for k, v in cells.items() if k not in ici)
    assert ("\u2014 Only previous immunotherapy met the screening threshold (univariable "
            "p < 0.05, Wald test); no multivariable model was fitted.") in t.footnotes
    assert not any("adjusted for the other variables" in f for f in t.footnotes)
    os_t = build_subgroup_table(ard, "os", options)
    assert any("adjusted for the other variables" in f for f in os_t.footnotes)
    assert not any("no multivariable model" in f for f in os_t.footnotes)
    names = [f.name for f in build_drawn_report(analysis, options, Problems.of([])).figures]
    assert "forest_os_multivariable" in names and "forest_pfs_multivariable" not in names
