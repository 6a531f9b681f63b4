"""The self-contained HTML report: inline CSS, inline SVG figures, no script, no network."""

from __future__ import annotations

import html
from collections.abc import Mapping

from oncocohort.report.content import ReportContent
from oncocohort.report.format import fmt_count
from oncocohort.report.tables import render_table_html

__all__ = ["render_report_html", "CSS"]

CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 14px; color: #111;
       max-width: 1000px; margin: 2em auto; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; }
table.oc-table { border-collapse: collapse; margin: 1em 0 2em; font-size: 13px; }
table.oc-table caption { text-align: left; padding-bottom: .4em; }
table.oc-table th { padding: 3px 8px; text-align: left; vertical-align: bottom; }
table.oc-table thead tr:first-child th { border-top: 2px solid #000; }
table.oc-table thead tr:last-child th { border-bottom: 1px solid #000; }
table.oc-table th.oc-spanner { text-align: center; border-bottom: 1px solid #000;
                               padding-bottom: 2px; }
table.oc-table td { padding: 2px 8px; white-space: pre; }
table.oc-table th.oc-num, table.oc-table td.oc-num { text-align: right; }
table.oc-table th span.oc-nw { white-space: nowrap; }
table.oc-table tbody tr:last-child td { border-bottom: 2px solid #000; }
tr.oc-heading td { font-weight: bold; padding-top: 6px; }
p.oc-footnote { font-size: 11px; margin: 2px 0; white-space: normal; }
figure.oc-figure { margin: 1em 0 2em; } figure.oc-figure svg { max-width: 100%; height: auto; }
figure[data-column="single"] svg { width: 85mm; }
figure[data-column="double"] svg { width: 180mm; }
figcaption { font-size: 12px; } ul.oc-problems { font-size: 12px; }
@page { size: A4; margin: 18mm 15mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  h2 + p, h2 + ul { break-before: avoid; page-break-before: avoid; }
  table.oc-table { font-size: 8.5pt; }
  table.oc-table thead { display: table-header-group; }
  table.oc-table caption, tr.oc-heading { break-after: avoid; page-break-after: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  figure.oc-figure { break-inside: avoid; page-break-inside: avoid; }
  figure.oc-figure svg { max-width: 100%; }
}
"""


def render_report_html(content: ReportContent, svgs: Mapping[str, str]) -> str:
    """The whole report as one HTML document.

    ``svgs``: figure name -> its SVG, inline-ready (:func:`~.figures.svgtext.inline_svg`); each
    figure becomes ``<figure id="figure-<name>">``, each table ``<table id="table-<name>">``.
    """
    title, methods = content.title, content.methods
    tables, warnings, notes, summary = (content.tables, content.warnings, content.notes,
                                        content.summary)
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{e(title)}</title>", f"<style>{CSS}</style></head><body>",
           f"<h1>{e(title)}</h1>", '<section id="methods"><h2>Methods</h2>',
           f"<p>{e(methods)}</p></section>",  # its last sentence names the software
           '<section id="summary"><h2>Results summary</h2>',
           *(f"<p>{e(s)}</p>" for s in summary), "</section>",
           '<section id="data-quality"><h2>Data quality</h2>']
    if warnings or notes:
        out.append(f"<p>{fmt_count(len(warnings), 'validation warning')} and "
                   f"{fmt_count(len(notes), 'analysis note')}.</p><ul class=\"oc-problems\">")
        out += [f"<li>{e(w)}</li>" for w in list(warnings) + list(notes)]
        out.append("</ul>")
    else:
        out.append("<p>No validation warnings.</p>")
    out.append("</section>")
    tables_by = {t.name: t for t in tables}
    figs_by = {f.name: f for f in content.figures}
    sep = content.style.caption_sep
    for kind, name in content.order:
        if kind == "table":
            table = render_table_html(tables_by[name], sep)
            out.append(f'<section class="oc-section">{table}</section>')
        else:
            f = figs_by[name]
            label = f"<b>{e(f.label)}</b>{e(sep)}" if f.label else ""
            out.append(f'<figure class="oc-figure" id="figure-{e(f.name)}" '
                       f'data-column="{f.column}">{svgs[f.name]}'
                       f"<figcaption>{label}{e(f.caption)}</figcaption></figure>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"

