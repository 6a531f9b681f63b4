"""Display tables built from the ARD only: baseline, exposure and disposition, response, safety.

Every number comes from an ARD row through :class:`~oncocohort.report._ard_lookup.ArdLookup`;
counts pass through the small-cell rule of :mod:`oncocohort.report.suppress`. Survival and
subgroup tables are in :mod:`oncocohort.report.builders_survival`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from oncocohort.analysis.keys import Analysis, Category, Group, Level, Stat, Var
from oncocohort.canon.codes import OBJECTIVE_RESPONSE, RESPONSE_CODES
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.format import (
    DEFAULT_STYLE,
    HouseStyle,
    fmt_est_ci,
    fmt_est_sd,
    fmt_median_range,
    fmt_n_pct,
    fmt_num,
    fmt_p,
)
from oncocohort.report.options import ReportOptions
from oncocohort.report.suppress import compute_suppression, suppressed_text
from oncocohort.report.tables import DisplayTable
from oncocohort.report.prose import in_prose
from oncocohort.report.wording import (
    DCR_DEFINITION,
    ci_label,
    convention_footnotes,
    suppression_footnote,
)

__all__ = ["build_baseline_table", "build_exposure_table", "build_response_table",
           "build_safety_table", "build_safety_overview_table"]

class _Counts:
    """Collects the count cells of a table, then formats them after suppression."""

    def __init__(self, k: int | None, style: HouseStyle = DEFAULT_STYLE) -> None:
        self.k = k
        self.style = style
        self.counts: list[float] = []
        self.pcts: list[float] = []
        self.blocks: list[list[int]] = []
        self._state: tuple[int, ...] | None = None

    def add(self, n: float, pct: float = float("nan")) -> int:
        self.counts.append(n)
        self.pcts.append(pct)
        return len(self.counts) - 1

    def block(self, indices: Sequence[int]) -> None:
        if len(indices) > 1:
            self.blocks.append(list(indices))

    def text(self, i: int, with_pct: bool = True) -> str:
        if self._state is None:
            self._state = compute_suppression(self.counts, self.k, self.blocks)
        if self._state[i]:
            return suppressed_text(self._state[i], self.k)
        n, pct = self.counts[i], self.pcts[i]
        return (fmt_n_pct(n, pct, style=self.style) if with_pct and pct == pct
                else fmt_num(n, 0, style=self.style))

    def hidden(self, i: int) -> bool:
        if self._state is None:
            self._state = compute_suppression(self.counts, self.k, self.blocks)
        return bool(self._state[i])

    @property
    def used(self) -> bool:
        if self._state is None:
            self._state = compute_suppression(self.counts, self.k, self.blocks)
        return any(self._state)


@dataclass(frozen=True)
class _Dependent:
    """A text cell that would reveal count ``index`` (e.g. its rate): hidden with it."""

    index: int
    text: str


def _finish(rows: list[list], cells: _Counts) -> tuple[tuple[str, ...], ...]:
    """Resolve deferred count cells (ints referring to ``cells``) into text."""
    out = []
    for row in rows:
        resolved = []
        for c in row:
            if isinstance(c, int):
                resolved.append(cells.text(c))
            elif isinstance(c, _Dependent):
                resolved.append("*" if cells.hidden(c.index) else c.text)
            else:
                resolved.append(c)
        out.append(tuple(resolved))
    return tuple(out)


_SUMMARY_TEXT = {"median_range": "Median (range)", "median_iqr": "Median (IQR)",
                 "mean_sd": "Mean (SD)"}


def _in_block(label: str, block: str) -> str:
    """A yes row's label under its block's heading, without the word the heading already
    says: ``Previous immunotherapy`` under ``Previous systemic therapy exposure`` reads
    ``Immunotherapy`` (the label stays whole everywhere else).

    >>> _in_block("Previous immunotherapy", "Previous systemic therapy exposure")
    'Immunotherapy'
    >>> _in_block("Taxane", "Previous systemic therapy exposure"), _in_block("ECOG 1", "ECOG")
    ('Taxane', 'ECOG 1')
    """
    first, _, rest = label.partition(" ")
    if (rest and block.split(" ", 1)[0].lower() == first.lower()
            and not any(c.isupper() for c in first[1:])):
        return rest[:1].upper() + rest[1:]
    return label


def summary_digits(a: ArdLookup, summary: str, digits: int | None,
                   columns: Sequence[dict[str, str]] = ({},), **where: str) -> int:
    """The decimals of a continuous variable's Table 1 summary: ``digits`` when the spec sets
    it (``variables.<v>.digits``); else none when every number the summary shows, in every
    column, is a whole number (whole-number data: age 63 (39-82), not 63.0 (39.0-82.0)), one
    otherwise (a median of 62.5, a mean, an SD)."""
    if digits is not None:
        return digits
    if summary == "mean_sd":
        return 1
    lo, hi = (Stat.Q1, Stat.Q3) if summary == "median_iqr" else (Stat.MIN, Stat.MAX)
    shown = [a.get(statistic=s, default=float("nan"), **where, **c)
             for c in columns for s in (Stat.MEDIAN, lo, hi)]
    shown = [x for x in shown if x == x]
    return 0 if shown and all(float(x).is_integer() for x in shown) else 1


def continuous_text(a: ArdLookup, summary: str, digits: int | None,
                    style: HouseStyle, **where: str) -> str:
    """A continuous variable's summary from its ARD rows: ``63 (23-82)`` (median (range)),
    ``63 (55-70)`` (median (IQR)) or ``61.2 (10.3)`` (mean (SD)), with ``digits`` decimals
    (:func:`summary_digits` when ``None``)."""
    d = summary_digits(a, summary, digits, **where)
    if summary == "mean_sd":
        return (f"{fmt_num(a.get(statistic=Stat.MEAN, **where), d, style=style)} "
                f"({fmt_num(a.get(statistic=Stat.SD, **where), d, style=style)})")
    lo, hi = (Stat.Q1, Stat.Q3) if summary == "median_iqr" else (Stat.MIN, Stat.MAX)
    return fmt_median_range(a.get(statistic=Stat.MEDIAN, **where), a.get(statistic=lo, **where),
                            a.get(statistic=hi, **where), d, style=style)


def build_baseline_table(ard: pd.DataFrame, options: ReportOptions) -> DisplayTable:
    """Table 1: a summary of continuous variables (median (range), median (IQR) or mean (SD),
    as the spec declares), n (%) per level (or one "yes" row for a yes/no variable, and
    blocks of yes rows under one heading), missing counts. With ``baseline_by`` (by-group
    rows in the ARD): one column per group, then Overall, the p-value (the test named in a
    footnote) and, with two groups, the standardized mean difference."""
    a = ArdLookup(ard)
    k = options.small_cell_k
    st = options.style
    n_total = a.get(analysis=Analysis.BASELINE, variable=Var.PATIENTS, statistic=Stat.N)
    by = next((g for g in a.values("group_var", analysis=Analysis.BASELINE) if g), "")
    groups = a.values("group_level", analysis=Analysis.BASELINE, group_var=by,
                      variable=Var.PATIENTS, statistic=Stat.N) if by else []
    columns = [{"group_var": by, "group_level": g} for g in groups] + [{}]
    two = len(groups) == 2
    extra = (["", ""] if two else [""]) if by else []
    cells = _Counts(k, st)
    rows: list[list] = []
    tests_used: set[str] = set()
    block = ""

    def test_cells(var: str) -> list[str]:
        if not by:
            return []
        w = {"analysis": Analysis.BASELINE, "variable": var, "group_var": by}
        test = next(iter(a.values("category", statistic=Stat.P, **w)), "")
        out = [""]
        if test:
            tests_used.add(test)
            out = [fmt_p(a.get(category=test, statistic=Stat.P, **w), style=st)]
        if two:
            smd = a.get(statistic=Stat.SMD, default=float("nan"), **w)
            out.append(fmt_num(smd, 2, missing="", style=st))
        return out

    def counts(var: str, level: str) -> list:
        out = []
        for c in columns:
            base = {"analysis": Analysis.BASELINE, "variable": var, **c}
            if c and not a.has(category=level, statistic=Stat.N, **base):
                out.append("")  # the grouping variable itself
                continue
            out.append(cells.add(a.get(category=level, statistic=Stat.N, **base),
                                 a.get(category=level, statistic=Stat.PCT, **base)))
        return out

    for var in a.values("variable", analysis=Analysis.BASELINE):
        if var == Var.PATIENTS or (by and var == by):  # the columns are its levels
            continue
        show = options.display(var)
        base = {"analysis": Analysis.BASELINE, "variable": var}
        levels = a.values("category", statistic=Stat.N, **base)
        if show.yes_only and show.yes_level in levels:
            if show.block and show.block != block:
                rows.append([f"## {show.block}", *[""] * (len(columns) + len(extra))])
            block = show.block
            label = (f"  {_in_block(options.label(var), show.block)}" if show.block
                     else options.label(var))
            rows.append([label, *counts(var, show.yes_level), *test_cells(var)])
            continue
        block = ""
        tests = test_cells(var)  # on the variable's first row (a heading spans the table)
        rows.append([f"## {options.label(var)}", *[""] * (len(columns) + len(extra))])
        if a.has(statistic=Stat.MEDIAN, **base):
            d = summary_digits(a, show.summary, show.digits, columns, **base)
            rows.append([f"  {_SUMMARY_TEXT[show.summary]}", *(continuous_text(
                a, show.summary, d, st, **base, **c)
                if a.has(statistic=Stat.MEDIAN, **base, **c) else "" for c in columns), *tests])
            miss = a.get(statistic=Stat.N_MISSING, **base)
            if miss > 0:
                rows.append(["  Missing", *(cells.add(
                    a.get(statistic=Stat.N_MISSING, **base, **c),
                    a.get(statistic=Stat.PCT_MISSING, **base)) if not c else cells.add(
                    a.get(statistic=Stat.N_MISSING, **base, **c)) for c in columns), *extra])
            continue
        idx: list[list[int]] = [[] for _ in columns]
        for n_level, level in enumerate(levels):
            row = counts(var, level)
            for j, i in enumerate(row):
                if isinstance(i, int):
                    idx[j].append(i)
            rows.append([f"  {level}", *row, *(tests if n_level == 0 else extra)])
        miss = a.get(statistic=Stat.N_MISSING, **base)
        if miss > 0:
            row = [cells.add(miss, a.get(statistic=Stat.PCT_MISSING, **base)) if not c else
                   cells.add(a.get(statistic=Stat.N_MISSING, **base, **c))
                   if a.has(statistic=Stat.N_MISSING, **base, **c) else "" for c in columns]
            for j, i in enumerate(row):
                if isinstance(i, int):
                    idx[j].append(i)
            rows.append(["  Missing", *row, *extra])
        for ix in idx:
            cells.block(ix)
    body = _finish(rows, cells)
    # every count column alike: "Standard (N=69), n (%)" as "Overall (N=137), n (%)"
    header = [f"{g} (N={int(a.get(analysis=Analysis.BASELINE, variable=Var.PATIENTS, statistic=Stat.N, group_var=by, group_level=g))}), n (%)"  # noqa: E501
              for g in groups]
    header.append(f"{'Overall' if by else 'Total'} (N={int(n_total)}), n (%)")
    if by:
        header += ["p", "SMD"] if two else ["p"]
    notes = convention_footnotes(options, "baseline")
    if by:  # each column's own patients, not all of them
        notes = ("Percentages of the patients of each column; missing values counted "
                 "separately.", _by_footnote(options.label(by), tests_used, two))
    return DisplayTable("baseline", "Baseline characteristics" + (
        f" by {in_prose(options.label(by))}" if by else ""), ("Characteristic", *header), body,
        notes + suppression_footnote(options, cells.used))


_TEST_TEXT = {"chisq": "Pearson's chi-square test", "fisher": "Fisher's exact test",
              "wilcoxon": "Wilcoxon rank-sum test", "kruskal": "Kruskal-Wallis test"}


def _by_footnote(label: str, tests: set[str], two: bool) -> str:
    """The rule that chose each p-value, and what the SMD is."""
    used = ", ".join(_TEST_TEXT[t] for t in _TEST_TEXT if t in tests) or "none"
    text = (f"Groups by {in_prose(label)}. p: categorical variables by Pearson's chi-square "
            "test (without continuity correction), or Fisher's exact test when an expected count "
            "is below 5; continuous variables by the Wilcoxon rank-sum test (two groups) or "
            f"the Kruskal-Wallis test (three or more); tests used here: {used}. Missing "
            "values are left out of the tests.")
    if two:
        text += (" SMD: standardized mean difference (continuous: difference of means over "
                 "the pooled SD; categorical: Yang and Dalton's multivariate SMD).")
    return text


_EXPOSURE_LABELS = {Var.TREATMENT_DURATION: "Treatment duration, months, median (range)",
                    Var.CYCLES: "Cycles, median (range)"}

#: dose modification -> its row label (patients with at least one)
_MODIFICATIONS = {Var.DOSE_REDUCTION: "At least one dose reduction",
                  Var.DOSE_DELAY: "At least one dose delay",
                  Var.DOSE_INTERRUPTION: "At least one dose interruption"}


def _stat(a: ArdLookup, stat: str, **where: str) -> float:
    return a.get(statistic=stat, **where)


def _exposure_drug_rows(a: ArdLookup, cells: _Counts, options: ReportOptions,
                        drug: str) -> list[list]:
    """The rows of one drug (or of the regimen as a whole)."""
    where = {"analysis": Analysis.EXPOSURE, "group_var": Group.DRUG, "group_level": drug}
    st = options.style
    regimen = drug == Level.REGIMEN
    name = "Regimen (longest drug)" if regimen else options.label(drug)  # labels: {drug: Name}
    rows: list[list] = [[f"## {name}", ""]]
    if not regimen:
        rows.append(["  Patients treated", cells.add(
            a.get(variable=Var.PATIENTS, statistic=Stat.N, **where),
            a.get(variable=Var.PATIENTS, statistic=Stat.PCT, **where))])
    for var, text in _EXPOSURE_LABELS.items():
        if a.has(variable=var, statistic=Stat.MEDIAN, **where):
            w = {"variable": var, **where}
            rows.append([f"  {text}", fmt_median_range(
                _stat(a, Stat.MEDIAN, **w), _stat(a, Stat.MIN, **w), _stat(a, Stat.MAX, **w),
                0 if var == Var.CYCLES else 1, style=st)])
    w = {"variable": Var.DOSE_INTENSITY, **where}
    if a.has(statistic=Stat.MEAN, **w):
        rows.append(["  Relative dose intensity, %, mean (SD)", fmt_est_sd(
            _stat(a, Stat.MEAN, **w), _stat(a, Stat.SD, **w), style=st)])
        rows.append(["  Relative dose intensity, %, median (range)", fmt_median_range(
            _stat(a, Stat.MEDIAN, **w), _stat(a, Stat.MIN, **w), _stat(a, Stat.MAX, **w),
            style=st)])
    for var, text in _MODIFICATIONS.items():
        if not a.has(variable=var, statistic=Stat.N, **where):
            continue
        rows.append([f"  {text}", cells.add(a.get(variable=var, statistic=Stat.N, **where),
                                            a.get(variable=var, statistic=Stat.PCT, **where))])
        if var == Var.DOSE_REDUCTION:
            reasons = a.values("category", variable=Var.REDUCTION_REASON, statistic=Stat.N,
                               **where)
            idx = [cells.add(a.get(variable=Var.REDUCTION_REASON, category=r,
                                   statistic=Stat.N, **where)) for r in reasons]
            cells.block(idx)
            rows += [[f"    {_sentence_case(r)}", i] for r, i in zip(reasons, idx, strict=True)]
    return rows


def _sentence_case(text: str) -> str:
    return f"{text[:1].upper()}{text[1:]}"


def _drugs_by_frequency(a: ArdLookup, options: ReportOptions) -> list[str]:
    """The regimen's drugs, the most patients first (then by label), the regimen last."""
    w = {"analysis": Analysis.EXPOSURE, "group_var": Group.DRUG}
    drugs = [d for d in a.values("group_level", **w) if d != Level.REGIMEN]
    n = {d: a.get(group_level=d, variable=Var.PATIENTS, statistic=Stat.N, default=0.0, **w)
         for d in drugs}
    drugs.sort(key=lambda d: (-n[d], options.label(d).casefold()))
    return drugs + [d for d in a.values("group_level", **w) if d == Level.REGIMEN]


def _disposition_rows(a: ArdLookup, cells: _Counts) -> list[list]:
    """Disposition as the paper and a CONSORT/STROBE flowchart give it: on treatment, then
    discontinued with its reasons, the most frequent first ("not recorded" last); the deaths
    in a block of their own (vital status, not a disposition)."""
    d = {"analysis": Analysis.DISPOSITION}
    w = {"variable": Var.STATUS, **d}
    statuses = a.values("category", **w)
    if not statuses:
        return []
    rows: list[list] = [["## Disposition at data cut-off", ""]]
    reasons = [c for c in statuses if c != Category.ON_TREATMENT]
    reasons.sort(key=lambda c: (c == Category.NOT_RECORDED,
                                -a.get(category=c, statistic=Stat.N, **w), c))
    top = []
    if Category.ON_TREATMENT in statuses:
        c = Category.ON_TREATMENT
        top.append(cells.add(a.get(category=c, statistic=Stat.N, **w),
                             a.get(category=c, statistic=Stat.PCT, **w)))
        rows.append(["  On treatment", top[-1]])
    sub = [cells.add(a.get(category=c, statistic=Stat.N, **w),
                     a.get(category=c, statistic=Stat.PCT, **w)) for c in reasons]
    indent = "  "
    if a.has(variable=Var.DISCONTINUED, statistic=Stat.N, **d):
        top.append(cells.add(a.get(variable=Var.DISCONTINUED, statistic=Stat.N, **d),
                             a.get(variable=Var.DISCONTINUED, statistic=Stat.PCT, **d)))
        rows.append(["  Discontinued", top[-1]])
        indent = "    "
        cells.block([top[-1], *sub])
    cells.block(top)
    rows += [[f"{indent}{_sentence_case(c)}", i] for c, i in zip(reasons, sub, strict=True)]
    if a.has(variable=Var.DEATHS, statistic=Stat.N, **d):
        rows.append(["## Vital status at data cut-off", ""])
        rows.append(["  Died", cells.add(a.get(variable=Var.DEATHS, statistic=Stat.N, **d),
                                         a.get(variable=Var.DEATHS, statistic=Stat.PCT, **d))])
    return rows


def build_exposure_table(ard: pd.DataFrame, options: ReportOptions) -> DisplayTable:
    """Exposure per drug and for the regimen (tern/chevron EXT01: duration, cycles, dose
    intensity, dose modifications with the reason of the first reduction), the prior immune
    checkpoint inhibitor and the interval since its last dose, then disposition at the data
    cut-off."""
    a = ArdLookup(ard)
    k = options.small_cell_k
    st = options.style
    n_total = a.get(analysis=Analysis.POPULATION, variable=Var.PATIENTS, statistic=Stat.N)
    cells = _Counts(k, st)
    rows: list[list] = []
    for drug in _drugs_by_frequency(a, options):
        rows += _exposure_drug_rows(a, cells, options, drug)
    prior = {"analysis": Analysis.PRIOR_THERAPY}
    if a.has(variable=Var.PRIOR_ICI, statistic=Stat.N, **prior):
        # the variable's own label (Table 1's "Previous immunotherapy"): one name per idea
        label = options.labels.get(Var.PRIOR_ICI, "Prior immune checkpoint inhibitor")
        rows.append([f"## {label}", ""])
        rows.append(["  Patients", cells.add(
            a.get(variable=Var.PRIOR_ICI, statistic=Stat.N, **prior),
            a.get(variable=Var.PRIOR_ICI, statistic=Stat.PCT, **prior))])
        w = {"variable": Var.ICI_FREE_INTERVAL, **prior}
        if a.has(statistic=Stat.MEDIAN, **w):
            n_int = _stat(a, Stat.N, **w)
            rows.append([f"  Months since the last dose, median (IQR) (n={fmt_num(n_int, 0)})",
                         fmt_median_range(_stat(a, Stat.MEDIAN, **w), _stat(a, Stat.Q1, **w),
                                          _stat(a, Stat.Q3, **w), style=st)])
    rows += _disposition_rows(a, cells)
    notes = ["Patients treated, prior immune checkpoint inhibitor, disposition and vital "
             "status: n (%) of all patients; dose modifications: n (%) of the patients given "
             "the drug, with the reason of each patient's first dose reduction (an adverse "
             "event named as in the safety tables, other reasons as recorded)."]
    if a.values("variable", analysis=Analysis.EXPOSURE, group_var=Group.DRUG,
                statistic=Stat.MEAN):
        notes.append("Relative dose intensity: the dose given divided by the dose planned "
                     "over the same period (from the first dose to the end of the last cycle "
                     "started), in %.")
    notes.append(f"Months of {st.mark(str(options.conventions.days_per_month))} days.")
    return DisplayTable(
        "exposure", "Treatment exposure and disposition",
        ("", f"Total (N={int(n_total)})"), _finish(rows, cells),
        tuple(notes) + suppression_footnote(options, cells.used))


def build_response_table(ard: pd.DataFrame, options: ReportOptions) -> DisplayTable:
    """BOR n (%), ORR and DCR n (%) with the confidence interval, denominator stated."""
    a = ArdLookup(ard)
    k = options.small_cell_k
    w = {"analysis": Analysis.RESPONSE}
    cells = _Counts(k, options.style)
    rows: list[list] = [["## Best overall response", "", ""]]
    idx = {}
    for code in RESPONSE_CODES:
        n = a.get(variable=Var.BOR, category=code, statistic=Stat.N, **w)
        if code == "NON-CR/NON-PD" and n == 0:
            continue
        idx[code] = cells.add(n, a.get(variable=Var.BOR, category=code, statistic=Stat.PCT,
                                       **w))
        rows.append([f"  {code}", idx[code], ""])
        if code == "NE":
            reasons = a.values("category", variable=Var.NE_REASON, statistic=Stat.N, **w)
            sub = [cells.add(a.get(variable=Var.NE_REASON, category=r, statistic=Stat.N, **w),
                             a.get(variable=Var.NE_REASON, category=r, statistic=Stat.PCT,
                                   **w)) for r in reasons]
            cells.block([idx[code], *sub])
            rows += [[f"    {_sentence_case(r)}", i, ""] for r, i in zip(reasons, sub,
                                                                        strict=True)]
    ci = ci_label(options)
    rates = {}
    for name, text in ((Var.ORR, f"Objective response rate (CR + PR), % ({ci})"),
                       (Var.DCR, f"Disease control rate ({DCR_DEFINITION}), % "
                                 f"({ci})")):
        rates[name] = cells.add(a.get(variable=name, statistic=Stat.N, **w),
                                a.get(variable=name, statistic=Stat.PCT, **w))
        rows.append([text, rates[name], _Dependent(rates[name], fmt_est_ci(
            a.get(variable=name, statistic=Stat.PCT, **w),
            a.get(variable=name, statistic=Stat.LOWER, **w),
            a.get(variable=name, statistic=Stat.UPPER, **w), style=options.style))])
    cells.block(list(idx.values()))
    cells.block([idx[c] for c in OBJECTIVE_RESPONSE])
    cells.block([idx[c] for c in idx if c not in ("PD", "NE")])
    cells.block([rates[Var.ORR]] + [idx[c] for c in idx if c not in OBJECTIVE_RESPONSE])
    cells.block([rates[Var.DCR], idx["PD"], idx["NE"]])
    rows += _response_detail_rows(a, cells, options)
    denom = a.denominator(variable=Var.ORR, statistic=Stat.N, **w)
    n_eval = a.get(variable=Var.EVALUABLE, statistic=Stat.N, **w)
    notes = [f"Patients with an evaluable best response (not NE): {fmt_num(n_eval, 0)}."]
    recorded = a.has(variable=Var.RECORDED_BOR, statistic=Stat.N, **w)
    if a.has(variable=Var.RECORDED_BOR_UNUSED, statistic=Stat.N, **w):
        notes.append(
            f"Best overall response derived from the tumor assessments; the one recorded "
            f"by the investigators (not analyzed) differed in "
            f"{fmt_num(a.get(variable=Var.RECORDED_BOR_DIFFERS, statistic=Stat.N, **w), 0)} "
            f"of {fmt_num(a.get(variable=Var.RECORDED_BOR_UNUSED, statistic=Stat.N, **w), 0)} "
            f"patients.")
    if a.has(variable=Var.TIME_TO_RESPONSE, statistic=Stat.MEDIAN, **w):
        notes.append(f"Time to response: from the {options.index_date_label} to the first "
                     f"assessment showing CR or PR, in responders.")
    if a.has(variable=Var.BEST_PCT_CHANGE, statistic=Stat.MEAN, **w):
        notes.append("Best change: the smallest percentage change of the sum of target-lesion "
                     "diameters from baseline, in patients with a post-baseline measurement "
                     "(negative: shrinkage).")
    return DisplayTable(
        "response", f"Tumor response (denominator N={fmt_num(denom, 0)})",
        ("Response", "n (%)", "Estimate"), _finish(rows, cells),
        convention_footnotes(options, "recorded" if recorded else "denominator", "proportion")
        + tuple(notes)
        + suppression_footnote(options, cells.used))


def _response_detail_rows(a: ArdLookup, cells: _Counts, options: ReportOptions) -> list[list]:
    """Time to response in responders and the best change of the target lesions: a heading
    each, a row counting the patients summarized (``Responders``, ``Patients with a
    post-baseline measurement``: the count in the count column, as every count of the table,
    never beside a statistic), the statistics in the estimate column."""
    st = options.style
    unit = options.conventions.time_unit
    rows: list[list] = []
    for var, heading, who in (
            (Var.TIME_TO_RESPONSE, f"Time to response, {unit}", "Responders"),
            (Var.BEST_PCT_CHANGE, "Best change in the sum of target lesions, %",
             "Patients with a post-baseline measurement")):
        w = {"analysis": Analysis.RESPONSE, "variable": var}
        if not a.has(statistic=Stat.MEDIAN, **w):
            continue
        n = cells.add(_stat(a, Stat.N, **w))
        mean_sd = fmt_est_sd(_stat(a, Stat.MEAN, **w), _stat(a, Stat.SD, **w), style=st)
        med = fmt_median_range(_stat(a, Stat.MEDIAN, **w), _stat(a, Stat.MIN, **w),
                               _stat(a, Stat.MAX, **w), style=st)
        rows.append([f"## {heading}", "", ""])
        first, second = ((("Median (range)", med), ("Mean (SD)", mean_sd))
                         if var == Var.TIME_TO_RESPONSE
                         else (("Mean (SD)", mean_sd), ("Median (range)", med)))
        rows.append([f"  {who}", n, ""])
        rows.append([f"  {first[0]}", "", _Dependent(n, first[1])])
        rows.append([f"  {second[0]}", "", _Dependent(n, second[1])])
    return rows


#: The grade columns of the safety table, in display order (tern/chevron AET04: each grade).
_SAFETY_BANDS = (Category.ANY_GRADE, Category.GRADE_1_2, Category.GRADE_3, Category.GRADE_4,
                 Category.GRADE_5, Category.GRADE_3_PLUS, Category.GRADE_MISSING)
_BAND_HEADERS = {Category.ANY_GRADE: "Any grade", Category.GRADE_1_2: "Grade 1-2",
                 Category.GRADE_3: "Grade 3", Category.GRADE_4: "Grade 4",
                 Category.GRADE_5: "Grade 5", Category.GRADE_3_PLUS: "Grade \u22653",
                 Category.GRADE_MISSING: "Grade missing"}


def build_safety_table(ard: pd.DataFrame, options: ReportOptions) -> DisplayTable:
    """Table 3: per term or group the patients by worst grade: any, 1-2, 3, 4, 5 and >= 3 (and
    missing when any is), n (%), "Any TRAE" first then by frequency (ARD order); composite
    categories (spec groups) footnoted with their terms."""
    a = ArdLookup(ard)
    k = options.small_cell_k
    pops = a.values("group_level", analysis=Analysis.SAFETY, group_var=Group.POPULATION,
                    variable=Var.PATIENTS)
    pop = pops[0] if pops else Level.TRAE
    w = {"analysis": Analysis.SAFETY, "group_var": Group.POPULATION, "group_level": pop}
    n_total = a.get(variable=Var.PATIENTS, statistic=Stat.N, **w)
    terms = a.values("variable", category=Category.ANY_GRADE, statistic=Stat.N, **w)
    show_missing = any(
        a.get(variable=t, category=Category.GRADE_MISSING, statistic=Stat.N, **w) > 0
        for t in terms)
    bands = [b for b in _SAFETY_BANDS if b != Category.GRADE_MISSING or show_missing]
    cells = _Counts(k, options.style)
    rows: list[list] = []
    for term in terms:
        idx = dict(zip(bands, (
            cells.add(a.get(variable=term, category=b, statistic=Stat.N, **w),
                      a.get(variable=term, category=b, statistic=Stat.PCT, **w))
            for b in bands), strict=True))
        parts = [b for b in bands if b not in (Category.ANY_GRADE, Category.GRADE_3_PLUS)]
        cells.block([idx[b] for b in parts])  # they add up to the any-grade count
        cells.block([idx[b] for b in (Category.GRADE_3, Category.GRADE_4, Category.GRADE_5)])
        cells.block([idx[b] for b in bands if b in (Category.GRADE_1_2, Category.GRADE_3_PLUS,
                                                     Category.GRADE_MISSING)])
        rows.append([term, *(idx[b] for b in bands)])
    header = ("Adverse event", *(f"{_BAND_HEADERS[b]}, n (%)" for b in bands))
    used = " ".join(terms)
    abbreviations = "; ".join(f"{abbr}: {words}" for abbr, words in (
        ("TRAE", "treatment-related adverse event"), ("AE", "adverse event"))
        if re.search(rf"\b{abbr}\b", used))
    notes = ((abbreviations + ".",) if abbreviations else ()) + convention_footnotes(
        options, "safety") + _composite_footnotes(a, pop, terms)
    return DisplayTable(
        "safety", f"Treatment-related adverse events (N={int(n_total)})", header,
        _finish(rows, cells), notes + suppression_footnote(options, cells.used))


def _composite_footnotes(a: ArdLookup, pop: str, terms: Sequence[str]) -> tuple[str, ...]:
    """``"Liver function abnormality: Alanine aminotransferase increased (25), ..."``: what
    each composite category of the table holds (patients with each CTCAE term)."""
    w = {"analysis": Analysis.SAFETY, "group_var": Group.TERM_GROUP, "group_level": pop,
         "statistic": Stat.N}
    parts = []
    for group in terms:
        members = a.values("category", variable=group, **w)
        if members:
            parts.append(f"{group}: " + ", ".join(
                f"{m} ({fmt_num(a.get(variable=group, category=m, **w), 0)})"
                for m in members))
    if not parts:
        return ()
    return ("Grouped categories, with the patients with each CTCAE v5.0 term (a patient may "
            "have several): " + "; ".join(parts) + ".",)


#: The overview's rows: (variable, label, by population).
_OVERVIEW = ((Var.SERIOUS, "Serious adverse event", True),
             (Var.IMMUNE_RELATED, "Immune-related adverse event", True),
             (Var.FATAL, "Fatal adverse event (grade 5)", True),
             (Var.AE_DISCONTINUATION, "Treatment discontinued for an adverse event", False),
             (Var.AE_DOSE_REDUCTION, "Dose reduced for an adverse event", False),
             (Var.AE_INTERRUPTION, "Dose interrupted for an adverse event", False),
             (Var.DEATH_30D, "Death within 30 days of the last dose", False))


def build_safety_overview_table(ard: pd.DataFrame, options: ReportOptions) -> DisplayTable:
    """The overview of adverse events (tern/chevron AET01, DST01): per population (all
    causality when the data tell related from unrelated events; treatment-related) any
    event, grade >= 3, serious, immune-related and fatal; then discontinuations, dose
    reductions and interruptions for an adverse event and deaths within 30 days of the last
    dose. A row is there only when the data have what it needs."""
    a = ArdLookup(ard)
    cells = _Counts(options.small_cell_k, options.style)
    s = {"analysis": Analysis.SAFETY}
    n_total = a.get(analysis=Analysis.POPULATION, variable=Var.PATIENTS, statistic=Stat.N)
    rows: list[list] = []
    pops = a.values("group_level", group_var=Group.POPULATION, variable=Var.PATIENTS, **s)
    heads = {Level.AE: "All causality", Level.TRAE: "Treatment-related"}
    for pop in sorted(pops, key=lambda p: p != Level.AE):
        w = {"group_var": Group.POPULATION, "group_level": pop, **s}
        rows.append([f"## {heads.get(pop, pop)}", ""])
        anyw = {"variable": f"Any {pop}", **w}
        for cat, label in ((Category.ANY_GRADE, "Any adverse event"),
                           (Category.GRADE_3_PLUS, "Grade \u22653 adverse event")):
            if a.has(category=cat, statistic=Stat.N, **anyw):
                rows.append([f"  {label}", cells.add(
                    a.get(category=cat, statistic=Stat.N, **anyw),
                    a.get(category=cat, statistic=Stat.PCT, **anyw))])
        for var, label, _ in (o for o in _OVERVIEW if o[2]):
            if a.has(variable=var, statistic=Stat.N, **w):
                if var == Var.FATAL and pop == Level.TRAE:
                    label = "Treatment-related death (grade 5)"
                rows.append([f"  {label}", cells.add(
                    a.get(variable=var, statistic=Stat.N, **w),
                    a.get(variable=var, statistic=Stat.PCT, **w))])
    more = [(var, label) for var, label, by_pop in _OVERVIEW
            if not by_pop and a.has(variable=var, statistic=Stat.N, **s)]
    if more:
        rows.append(["## Treatment changes and deaths", ""])
        rows += [[f"  {label}", cells.add(a.get(variable=var, statistic=Stat.N, **s),
                                          a.get(variable=var, statistic=Stat.PCT, **s))]
                 for var, label in more]
    notes = ["n (%) of all treated patients, each patient counted once per row; "
             "treatment-emergent events only."]
    if a.has(variable=Var.AE_DOSE_REDUCTION, statistic=Stat.N, **s):
        notes.append("Dose reduced for an adverse event: the reason recorded for the first "
                     "dose reduction is one of the patient's recorded adverse events.")
    if a.has(variable=Var.AE_INTERRUPTION, statistic=Stat.N, **s):
        notes.append("Dose interrupted for an adverse event: the reason recorded for a dose "
                     "interruption of any drug is one of the patient's recorded adverse "
                     "events.")
    if a.has(variable=Var.DEATH_30D, statistic=Stat.N, **s):
        notes.append("Death within 30 days of the last dose: any cause, at most 30 days after "
                     "the last dose of any drug of the regimen.")
    return DisplayTable("safety_overview", f"Overview of adverse events (N={int(n_total)})",
                        ("", f"Total (N={int(n_total)}), n (%)"), _finish(rows, cells),
                        tuple(notes) + suppression_footnote(options, cells.used))
