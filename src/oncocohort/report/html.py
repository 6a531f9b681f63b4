"""The self-contained HTML report: inline CSS, inline SVG figures, no script, no network."""

from __future__ import annotations

import html
from collections.abc import Mapping

from oncocohort.report.content import ReportContent
from oncocohort.report.tables import render_table_html

__all__ = ["render_report_html", "CSS"]

CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 14px; color: #111;
       max-width: 1000px; margin: 2em auto; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; }
table.oc-table { border-collapse: collapse; margin: 1em 0 2em; font-size: 13px; }
table.oc-table caption { text-align: left; font-weight: bold; padding-bottom: .4em; }
table.oc-table th { border-top: 2px solid #000; border-bottom: 1px solid #000;
                    padding: 3px 8px; text-align: left; }
table.oc-table td { padding: 2px 8px; white-space: pre; }
table.oc-table td.oc-num { text-align: right; }
table.oc-table tbody tr:last-child td { border-bottom: 2px solid #000; }
tr.oc-heading td { font-weight: bold; padding-top: 6px; }
p.oc-footnote { font-size: 11px; margin: 2px 0; white-space: normal; }
figure.oc-figure { margin: 1em 0 2em; } figure.oc-figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 12px; } ul.oc-problems { font-size: 12px; }
"""


def render_report_html(content: ReportContent, svgs: Mapping[str, str]) -> str:
    """The whole report as one HTML document.

    ``svgs``: figure name -> its SVG, inline-ready (:func:`~.figures.render.inline_svg`); each
    figure becomes ``<figure id="figure-<name>">``, each table ``<table id="table-<name>">``.
    """
    title, methods, versions = content.title, content.methods, content.versions
    tables, warnings, notes, summary = (content.tables, content.warnings, content.notes,
                                        content.summary)
    figs = [(f.name, f.caption, svgs[f.name]) for f in content.figures]
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{e(title)}</title>", f"<style>{CSS}</style></head><body>",
           f"<h1>{e(title)}</h1>", '<section id="methods"><h2>Methods</h2>',
           f"<p>{e(methods)}</p>", "<p>Software: " + e(", ".join(
               f"{k} {v}" for k, v in versions.items())) + "</p></section>",
           '<section id="summary"><h2>Results summary</h2>',
           *(f"<p>{e(s)}</p>" for s in summary), "</section>",
           '<section id="data-quality"><h2>Data quality</h2>']
    if warnings or notes:
        out.append(f"<p>{len(warnings)} validation warning(s) and {len(notes)} analysis "
                   f"note(s).</p><ul class=\"oc-problems\">")
        out += [f"<li>{e(w)}</li>" for w in list(warnings) + list(notes)]
        out.append("</ul>")
    else:
        out.append("<p>No validation warnings.</p>")
    out.append("</section>")
    placed = set()
    order = _interleave([t.name for t in tables], [f[0] for f in figs])
    for kind, name in order:
        if kind == "table":
            t = next(t for t in tables if t.name == name)
            out.append(f'<section class="oc-section">{render_table_html(t)}</section>')
        else:
            fname, caption, svg = next(f for f in figs if f[0] == name)
            placed.add(fname)
            out.append(f'<figure class="oc-figure" id="figure-{e(fname)}">{svg}'
                       f"<figcaption>{e(caption)}</figcaption></figure>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


_AFTER = {"flowchart": "baseline", "waterfall": "response", "swimmer": "exposure"}


def _interleave(tables: list[str], figures: list[str]) -> list[tuple[str, str]]:
    """Report order: flowchart first, then each table followed by its figures (waterfall after
    response, KM curves after the survival table, forest/subgroup curves after Table 2)."""
    def anchor(fig: str) -> str:
        if fig in _AFTER:
            return _AFTER[fig]
        if fig.startswith("forest_") or fig.count("_") >= 2:
            return "subgroups_" + fig.split("_")[1]
        return "survival"

    out: list[tuple[str, str]] = []
    figs = [f for f in figures if f != "flowchart"]
    if "flowchart" in figures:
        out.append(("figure", "flowchart"))
    for t in tables:
        out.append(("table", t))
        out += [("figure", f) for f in figs if anchor(f) == t]
    placed = {n for k, n in out if k == "figure"}
    out += [("figure", f) for f in figs if f not in placed]
    return out
