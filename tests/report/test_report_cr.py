"""The report of the competing-risk, RMST, landmark and time-varying analyses
(examples/escc-competing-risks): tables and figures from the ARD, numbers at risk under the
x ticks, methods text; the figures are rendered to PNG (test-artifacts when CI keeps them)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from _report_texts import RAW_CODES, british_spellings, report_texts, typography_faults
from oncocohort.analysis.ard import ard_value
from oncocohort.report.figure_steps import build_drawn_report
from oncocohort.report.figures.cif import CifFigure
from oncocohort.report.figures.km import KmFigure
from oncocohort.study.load import load_study
from oncocohort.study.run import run_study

EXAMPLE = Path(__file__).parents[2] / "examples" / "escc-competing-risks" / "study.yaml"


@pytest.fixture(scope="module")
def results():
    return run_study(load_study(EXAMPLE))


@pytest.fixture(scope="module")
def report(results):
    return results.analysis, build_drawn_report(results.analysis, results.options.report,
                                          results.problems)


def test_tables_of_each_analysis(report):
    analysis, content = report
    names = [t.name for t in content.tables]
    for name in ("competing_ttp", "fine_gray_ttp", "rmst", "landmark_os_first_response",
                 "time_varying_os_first_response"):
        assert name in names
    tables = {t.name: t for t in content.tables}
    survival = tables["survival"]
    rmst_row = [r for r in survival.rows if r[0].startswith("RMST to 12 months")][0]
    est = ard_value(analysis.ard, analysis="rmst", endpoint="os", variable="rmst",
                    category="12", statistic="estimate", group_var="")
    assert rmst_row[1].startswith(f"{est:.2f} (")
    assert any("tau" in n and "Greenwood" in n for n in survival.footnotes)
    cr = tables["competing_ttp"]
    assert cr.rows[0][1:4] == ("87", "59", "10")
    assert any("Aalen-Johansen" in n and "cmprsk cuminc" in n for n in cr.footnotes)
    assert any("sandwich" in n for n in tables["fine_gray_ttp"].footnotes)
    landmark = tables["landmark_os_first_response"].footnotes
    assert any("guarantee-time" in n for n in landmark)
    left_out = [n for n in landmark if n.startswith("Landmark at 3 months: ")]
    assert left_out and re.fullmatch(r"Landmark at 3 months: (1 patient with the event or "
                                     r"censored by then is|\d+ patients with the event or "
                                     r"censored by then are) left out\.", left_out[0])
    assert any("Mantel-Byar" in n for n in tables["time_varying_os_first_response"].footnotes)
    assert "Aalen-Johansen" in content.methods and "Restricted mean survival time" in \
        content.methods and "landmark analysis at 3 months" in content.methods


def test_cif_figure_prints_the_ard_under_its_ticks(report, tmp_path):
    analysis, content = report
    fig = {f.name: f for f in content.figures}["cif_ttp"]
    drawn = fig.drawn
    assert isinstance(drawn, CifFigure)
    ax = fig.figure.axes[0]
    ticks = ax.get_xticks()
    np.testing.assert_array_equal(ticks, drawn.at_risk["time"].to_numpy())
    table_ax = fig.figure.axes[1]
    cells = sorted((t.get_position()[0], t.get_text()) for t in table_ax.texts
                   if t.get_text().isdigit())
    assert [x for x, _ in cells] == list(ticks)  # one number per tick, at the tick
    for t, text in cells:
        n = ard_value(analysis.ard, analysis="competing_risks", endpoint="ttp",
                      variable="at_risk", category=f"{t:g}", statistic="n_at_risk",
                      group_var="")
        assert text == str(int(n))
    pct = ard_value(analysis.ard, analysis="competing_risks", endpoint="ttp",
                    variable="cif_event", category="12", statistic="pct", group_var="")
    assert f"{pct:.1f}%" in list(drawn.marks["text"])
    # the curves are named after the endpoint's events; no subgroup's Gray p on the overall
    # curves (it compares levels this figure does not draw)
    assert drawn.legend == ("Progression", "Death without progression")
    assert drawn.annotation == "" and not any("Gray" in t.get_text() for t in ax.texts)
    fig.figure.savefig(tmp_path / "cif.png")
    assert (tmp_path / "cif.png").stat().st_size > 10_000


def test_landmark_figure_numbers_at_risk_from_the_landmark(report):
    analysis, content = report
    fig = {f.name: f for f in content.figures}["landmark_os3"]
    assert isinstance(fig.drawn, KmFigure)
    first = fig.drawn.at_risk[fig.drawn.at_risk["time"] == 0]
    for _, r in first.iterrows():
        level = "Yes" if r["curve"].startswith("With ") else "No"
        assert r["n_at_risk"] == ard_value(
            analysis.ard, analysis="landmark_analysis", endpoint="os",
            group_var="first_response", group_level=level, category="3",
            variable="patients", statistic="n")


def test_simon_makuch_figure_counts_patients_in_each_group(report):
    analysis, content = report
    fig = {f.name: f for f in content.figures}["simonmakuch_os"]
    at = fig.drawn.at_risk
    # at time 0 everyone is without response; later, the two groups add up to those at risk
    first = at[at["time"] == 0].set_index("curve")["n_at_risk"]
    assert first["Without response"] == 87 and first["With response"] == 0
    for t in sorted(set(at["time"]))[1:]:
        both = at[at["time"] == t]["n_at_risk"].sum()
        os_at = analysis.endpoints["os"].km.survival_at([t])["n_at_risk"].iloc[0]
        assert both == os_at


def test_simon_makuch_yes_curve_begins_at_the_first_response(report, results):
    """Fig 20: the 'Response yes' curve starts at 1 at the first time a patient is in the
    group (the earliest first response before death or censoring), where its number at risk
    stops being 0; the 'no' curve starts at time 0."""
    analysis, content = report
    fig = {f.name: f for f in content.figures}["simonmakuch_os"]
    [res] = analysis.time_varying
    first = res.simon_makuch.entry[1]
    assert res.simon_makuch.entry[0] == 0.0 and 0 < first < 12
    yes = res.simon_makuch.table[res.simon_makuch.table.group == "Yes"]
    assert yes.time.min() > first and yes.n_at_risk.iloc[0] >= 1
    starts = {tuple(line.get_xydata()[0]) for line in fig.drawn.figure.axes[0].get_lines()
              if len(line.get_xydata()) > 2}  # the two step lines (not ticks or markers)
    assert (first, 1.0) in starts and (0.0, 1.0) in starts, starts


def test_each_figure_follows_its_table(report):
    _, content = report
    order = [name for _, name in content.order]
    for table, fig in (("competing_ttp", "cif_ttp"), ("landmark_os_first_response",
                                                      "landmark_os3"),
                       ("time_varying_os_first_response", "simonmakuch_os")):
        assert order.index(fig) == order.index(table) + 1, (table, fig)


def test_methods_name_each_restricted_mean_and_its_variance(report):
    """RMST (Kaplan-Meier area, Greenwood delta method) for OS and PFS; RMTL (Aalen-Johansen
    area, infinitesimal jackknife) for time to progression: never one sentence for both."""
    analysis, content = report
    m = content.methods
    rmst = next(s for s in m.split(". ") if s.startswith("Restricted mean survival time"))
    assert "Kaplan-Meier" in rmst and "Greenwood" in rmst
    assert "overall survival to 12 months" in rmst and "time to progression" not in rmst
    rmtl = next(s for s in m.split(". ") if "(RMTL)" in s)
    assert rmtl.startswith("For time to progression, the restricted mean time lost to "
                           "progression (RMTL)")
    assert "Aalen-Johansen" in rmtl and "infinitesimal-jackknife" in rmtl
    assert "death without progression being a competing event" in rmtl
    assert "Greenwood" not in rmtl and "Kaplan-Meier" not in rmtl
    # the ARD agrees on which variance each endpoint's rows used
    method = dict(analysis.ard.loc[(analysis.ard.analysis == "rmst")
                                   & analysis.ard.variable.isin(["rmst", "rmtl"]),
                                   ["endpoint", "method"]].drop_duplicates().values)
    assert "infinitesimal-jackknife" in method["ttp"] and "Greenwood" in method["os"]


def test_methods_define_time_to_progression_with_its_competing_event(report):
    _, content = report
    assert ("Time to progression ran from the start of anlotinib plus PD-1 antibody to "
            "progression, with death without progression counted as a competing event; "
            "patients with neither were censored at the last adequate tumor assessment or, "
            "failing that, the index date.") in content.methods
    assert "Time-to-event endpoints without a competing event were estimated by the " \
        "Kaplan-Meier method" in content.methods
    # in the spec's order: OS, PFS, DoR, then TTP
    m = content.methods
    assert m.index("Overall survival ran") < m.index("Duration of response ran") \
        < m.index("Time to progression ran")


def test_short_follow_up_note_uses_labels_and_the_unit(report):
    analysis, content = report
    last = ard_value(analysis.ard, analysis="rmst", endpoint="pfs", variable="last_time",
                     group_var="pd1_antibody", group_level="Pembrolizumab", category="12",
                     statistic="max")
    assert 0 < last < 12
    notes = [n for n in content.notes if "not estimated by" in n]
    assert notes == [
        "Progression-free survival: restricted mean survival time by 12 months not estimated "
        "by PD-1 antibody, as a level was followed for less than tau (Pembrolizumab followed "
        f"for {last:.1f} months only).",
        "Time to progression: restricted mean time lost to progression by 12 months not "
        "estimated by PD-1 antibody, as a level was followed for less than tau (Pembrolizumab "
        f"followed for {last:.1f} months only)."]
    assert not any("pd1_antibody" in n or "RMST of" in n for n in content.notes)


def test_competing_table_names_the_events_and_explains_ne(report):
    _, content = report
    cr = {t.name: t for t in content.tables}["competing_ttp"]
    assert "12-month incidence of progression, % (95% CI)" in cr.header
    assert "24-month incidence of death without progression, % (95% CI)" in cr.header
    notes = " ".join(cr.footnotes)
    assert "e.g." not in notes and "incidence of progression across the levels" in notes
    assert "competing events: death without progression, which ends time to progression" \
        in notes
    assert any(c == "NE" or c.startswith("NE (") for r in cr.rows for c in r[4:])
    assert "NE: not estimable, the time lies beyond the last follow-up" in notes


def test_cif_figures_by_subgroup(report, results, tmp_path):
    """One figure per subgroup variable the Kaplan-Meier figures would show (by_subgroup
    "selected": the variables of the multivariable models): the incidence of progression per
    level, each level's numbers at risk under the ticks (counted here from the derived
    times), that variable's Gray's p, numbered after the overall figure."""
    analysis, content = report
    figures = {f.name: f for f in content.figures}
    selected = {v for s in analysis.subgroups.values() for v in s.selected}
    assert selected == {"ecog_group", "prior_ici", "sites_group"}
    assert {n for n in figures if n.startswith("cif_ttp_")} == {f"cif_ttp_{v}"
                                                                for v in selected}
    order = [name for kind, name in content.order if kind == "figure"]
    assert order.index("cif_ttp_ecog_group") == order.index("cif_ttp") + 1
    fig = figures["cif_ttp_sites_group"]
    drawn = fig.drawn
    assert fig.label and fig.label.startswith("Figure ")
    assert fig.caption.startswith("Cumulative incidence of progression by number of "
                                  "metastatic sites, time to progression")
    # the levels as the spec's variables: labels them (the data's code >=3 shown as ≥3)
    assert drawn.legend == ("Number of metastatic sites", "<3 (n = 62)", "≥3 (n = 25)")
    p = ard_value(analysis.ard, analysis="competing_risks", endpoint="ttp", variable="gray",
                  group_var="sites_group", statistic="p")
    assert drawn.annotation == f"Gray's test, p = {p:.3f}"
    ticks = fig.figure.axes[0].get_xticks()
    tte = results.derived.tte
    tte = tte[tte["paramcd"] == "ttp"][["subject_id", "aval"]].merge(
        results.derived.patients[["subject_id", "sites_group"]], on="subject_id")
    tte["sites_group"] = tte["sites_group"].astype(str)
    table_ax = fig.figure.axes[1]
    for row, (label, level) in enumerate((("<3", "<3"), ("≥3", ">=3"))):
        printed = drawn.at_risk[drawn.at_risk["row"] == label]
        np.testing.assert_array_equal(printed["time"].to_numpy(), ticks)
        t = tte.loc[tte["sites_group"] == level, "aval"].to_numpy()
        assert printed["n_at_risk"].tolist() == [int((t >= x).sum()) for x in ticks]
        # drawn on the table's row for that level, one number under each tick
        y = 1 - row  # draw_risk_table puts the first row on top
        cells = sorted((x.get_position()[0], x.get_text()) for x in table_ax.texts
                       if x.get_position()[1] == y and x.get_text().isdigit())
        assert cells == list(zip(ticks, printed["text"], strict=True))
    # each level's curve ends at its last observed time, not at the axis' end
    lines = fig.figure.axes[0].get_lines()
    ends = sorted(float(line.get_xdata()[-1]) for line in lines[:2])
    last = sorted(float(tte.loc[tte["sites_group"] == lv, "aval"].max()) for lv in ("<3", ">=3"))
    assert ends == pytest.approx(last, rel=1e-12)
    fig.figure.savefig(tmp_path / "cif_sites.png")
    assert (tmp_path / "cif_sites.png").stat().st_size > 10_000


def test_cif_figures_by_subgroup_follow_outputs_km_by_subgroup(report, results):
    from dataclasses import replace

    from oncocohort.report.figures_cr import build_cr_figures

    analysis, content = report
    options = results.options.report
    names = lambda o: [n for n, _, _ in build_cr_figures(analysis, o)  # noqa: E731
                       if n.startswith("cif_ttp_")]
    assert names(replace(options, subgroup_curves="none")) == []
    assert names(replace(options, subgroup_curves="all")) == [
        f"cif_ttp_{v}" for v in analysis.competing["ttp"].by_variable]
    assert len(names(replace(options, subgroup_curves="all"))) > 3



def test_no_raw_codes_reach_the_report(report):
    """The example labels its values as the demo does (variables:): Male / Female, Upper /
    Middle / Lower, ≥63, the drug names; nothing shows the data's codes."""
    _, content = report
    texts = report_texts(content)
    assert not [x for x in texts if x.strip() in RAW_CODES]
    assert not [x for x in texts if ">=" in x]
    cells = {x.strip() for x in texts}
    assert {"Male", "Female", "Upper", "Middle", "Lower", "≥63", "≥3", "Tislelizumab"} <= cells


def test_labels_keep_their_capitals_in_sentences(results):
    """A label read inside a sentence as in_prose reads it: "OS", "RECIST response" stay in
    capitals (never "os", "recist response")."""
    from dataclasses import replace

    from oncocohort.report.builders_cr import (
        build_landmark_tables,
        build_time_varying_tables,
        cr_methods,
    )

    opts = results.options.report
    opts = replace(opts, labels={**opts.labels, "os": "OS", "ttp": "TTP",
                                 "first_response": "RECIST response"})
    methods = cr_methods(results.analysis, opts)
    assert "For TTP, an endpoint with a competing event" in methods
    assert "To avoid guarantee-time bias, OS was compared by RECIST response in a landmark" \
        in methods
    assert "RECIST response was also analyzed as a time-varying covariate of OS" in methods
    tables = {t.name: t for t in (*build_landmark_tables(results.analysis, opts),
                                   *build_time_varying_tables(results.analysis, opts))}
    assert tables["landmark_os_first_response"].title == "OS by RECIST response at a landmark"
    assert "recist" not in " ".join(t.title + " ".join(t.footnotes) for t in tables.values())


def test_minus_signs_and_p_clauses(report):
    """Negative numbers and differences print the minus sign U+2212 (the waterfall's
    '+20% and −30%', 'cohort − arm'), a p-value inside a cell or sentence reads 'p = 0.043'."""
    _, content = report
    assert typography_faults(report_texts(content)) == []


def test_one_reference_level_per_variable_across_cox_rmst_and_fine_gray(report, results):
    """The review found Table 9's RMST contrasts against ≥63, Male, Yes, Upper... while the
    Cox tables' reference is <63, Female, No, Lower: every variable now has the level the
    spec declares (variables.<v>.reference) as the reference of the Cox, RMST and Fine-Gray
    rows; the RMST difference is level minus reference (the two restricted means' rows), the
    ratio level over reference; the tables say so."""
    analysis, content = report
    ard = analysis.ard
    declared = {"age_group": "<63", "sex": "Female", "primary_site": "Lower",
                "prior_ici": "No", "radiotherapy": "No"}

    def reference(analysis_, variable, **w):
        x = ard[(ard.analysis == analysis_) & (ard.variable == variable) & (ard.group_var == v)]
        x = x[(x.endpoint == w["endpoint"])]
        levels = set(ard[(ard.group_var == v) & (ard.endpoint == w["endpoint"])
                         & (ard.analysis == w["all_levels"])].group_level) - {""}
        return levels - set(x.group_level)

    for v, ref in declared.items():
        assert reference("cox_univariable", "hr", endpoint="os", all_levels="subgroup") == {ref}
        assert reference("rmst", "rmst_difference", endpoint="os", all_levels="rmst") == {ref}
        assert reference("fine_gray", "shr", endpoint="ttp",
                         all_levels="competing_risks") == {ref}
        rmst = {"analysis": "rmst", "endpoint": "os", "category": "12", "group_var": v}
        for lv in set(ard[(ard.variable == "rmst_difference") & (ard.group_var == v)
                          & (ard.endpoint == "os")].group_level):
            est = {lv_: ard_value(ard, variable="rmst", statistic="estimate", group_level=lv_,
                                  **rmst) for lv_ in (lv, ref)}
            assert ard_value(ard, variable="rmst_difference", statistic="estimate",
                             group_level=lv, **rmst) == pytest.approx(est[lv] - est[ref],
                                                                      rel=1e-12)
            assert ard_value(ard, variable="rmst_ratio", statistic="estimate",
                             group_level=lv, **rmst) == pytest.approx(est[lv] / est[ref],
                                                                      rel=1e-12)
    tables = {t.name: t for t in content.tables}
    assert tables["rmst"].header[2].startswith("Difference, level \u2212 reference")
    assert tables["rmst"].header[3].startswith("Ratio, level / reference")
    fg = tables["fine_gray_ttp"].rows
    assert ("  <63", "1 (reference)", "") in fg and ("  Female", "1 (reference)", "") in fg


def test_no_settings_paths_or_method_codes_reach_the_reader(report):
    """The review found 'tau is set in the study spec (endpoints.<name>.rmst.tau)' and 'efron
    ties': the footnotes say what was chosen (tau = 12 months) in words."""
    _, content = report
    text = " ".join(x for x in report_texts(content) if x != content.methods)
    for raw in ("study spec", "endpoints.", "<name>", "efron ties", "ties efron"):
        assert raw not in text, raw
    survival = {t.name: t for t in content.tables}["survival"]
    assert any("tau (12 months) was chosen before the analysis" in f
               for f in survival.footnotes)
    assert "Efron ties" in text


def test_status_groups_are_named_in_words(report):
    """The review found 'Response by 3 months: no', 'Response no/yes' in legends and
    'Simon-Makuch ... response no': the groups read 'Without response' / 'With response'."""
    _, content = report
    texts = report_texts(content)
    for raw in ("Response no", "Response yes", "response no,", "response yes", "months: no",
                "yes against no"):
        assert not [x for x in texts if raw in x], raw
    tables = {t.name: t for t in content.tables}
    rows = [r[0].strip() for r in tables["landmark_os_first_response"].rows]
    assert "Without response by 3 months" in rows and "With response by 3 months" in rows


def test_generated_prose_is_in_us_spelling(report):
    _, content = report
    assert british_spellings(report_texts(content)) == []
