"""An SVG file made fit for inlining in the HTML report, without matplotlib (the process that
writes the report inlines what the figure workers rendered)."""

from __future__ import annotations

__all__ = ["inline_svg"]


def inline_svg(text: str) -> str:
    """An SVG file's text made fit for inlining in HTML: from ``<svg`` on, without the RDF
    ``<metadata>`` block (namespace URIs only, no content)."""
    start = text.find("<svg")
    text = text[start:] if start >= 0 else text
    m0, m1 = text.find("<metadata>"), text.find("</metadata>")
    if m0 >= 0 and m1 > m0:
        text = text[:m0] + text[m1 + len("</metadata>"):]
    return text
