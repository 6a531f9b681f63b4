"""How wide a line of text is when printed: column widths of the Word tables from their content.

Widths are measured with the advance widths of DejaVu Sans (the copy bundled with matplotlib,
so the same on every machine and the same bytes every run). DejaVu Sans is wider than Arial,
Helvetica and their metric twins (Liberation Sans), by about 14% for digits: a column wide
enough for a cell in DejaVu Sans holds it on one line in any of those fonts, which is what
Word (Arial) and LibreOffice (Arial, or DejaVu Sans where Arial is not installed) print.
Kerning is ignored (it only narrows a line).
"""

from __future__ import annotations

import functools
import os

import matplotlib
from matplotlib import ft2font

__all__ = ["text_width_pt", "longest_word_pt", "lines_of", "PT_PER_MM"]

PT_PER_MM = 72 / 25.4
_SIZE = 1000  # the font is loaded at 1000 px per em: advances in thousandths of an em


@functools.cache
def _font(bold: bool) -> ft2font.FT2Font:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    font = ft2font.FT2Font(os.path.join(matplotlib.get_data_path(), "fonts", "ttf", name))
    font.set_size(_SIZE, 72)
    return font


@functools.cache
def _advance(char: str, bold: bool) -> float:
    """The advance width of ``char`` in ems (a missing glyph: the width of a digit ``0``)."""
    font = _font(bold)
    code = ord(char)
    if font.get_char_index(code) == 0:
        code = ord("0")
    glyph = font.load_char(code, flags=ft2font.LoadFlags.NO_HINTING)
    return glyph.linearHoriAdvance / 65536 / _SIZE


def text_width_pt(text: str, size_pt: float, bold: bool = False) -> float:
    """The printed width of ``text`` on one line, in points, at ``size_pt``.

    >>> round(text_width_pt("0000", 10), 2)  # four digits of 0.636 em
    25.45
    """
    return size_pt * sum(_advance(c, bold) for c in text)


def longest_word_pt(text: str, size_pt: float, bold: bool = False) -> float:
    """The width of the longest word of ``text`` (what a cell that wraps at spaces needs);
    a no-break space (U+00A0) joins the words on its sides into one."""
    return max((text_width_pt(w, size_pt, bold) for w in text.split(" ") if w), default=0.0)


def lines_of(text: str, width_pt: float, size_pt: float, bold: bool = False) -> int:
    """How many lines ``text`` takes in ``width_pt`` at ``size_pt``, broken between words
    (greedily, as Word and LibreOffice do); a word wider than the line takes a line of its
    own.

    >>> lines_of("0000 0000", 50, 10), lines_of("0000 0000", 60, 10)  # 25.45 pt a word
    (2, 1)
    """
    words = [w for w in text.split(" ") if w]
    if not words:
        return 1
    space = text_width_pt(" ", size_pt, bold)
    lines, used = 1, text_width_pt(words[0], size_pt, bold)
    for w in words[1:]:
        need = text_width_pt(w, size_pt, bold)
        if used + space + need > width_pt:
            lines, used = lines + 1, need
        else:
            used += space + need
    return lines
