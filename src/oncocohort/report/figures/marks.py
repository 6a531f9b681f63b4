"""A journal's decimal mark on every number a figure prints (the Lancet's mid-dot ``0·5``).

The figure functions format their own labels (medians, landmark rates, hazard ratios) and
matplotlib formats the tick labels at drawing time; :func:`apply_decimal_mark` changes both
once a figure is built: every text of the figure now, and every tick label whenever it is
drawn (the axes' formatters are wrapped). A full stop between two digits is a decimal mark;
nothing else is changed.
"""

from __future__ import annotations

import re

from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import Formatter

__all__ = ["apply_decimal_mark"]

_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")


class _Marked(Formatter):
    """Another formatter's labels with ``mark`` as the decimal mark."""

    def __init__(self, inner: Formatter, mark: str) -> None:
        self.inner, self.mark = inner, mark

    def _sub(self, text: str) -> str:
        return _DECIMAL.sub(self.mark, text)

    def set_axis(self, axis) -> None:
        super().set_axis(axis)
        self.inner.set_axis(axis)

    def set_locs(self, locs) -> None:
        self.inner.set_locs(locs)

    def format_ticks(self, values) -> list[str]:
        return [self._sub(t) for t in self.inner.format_ticks(values)]

    def __call__(self, x, pos=None) -> str:
        return self._sub(self.inner(x, pos))

    def get_offset(self) -> str:
        return self._sub(self.inner.get_offset())


def apply_decimal_mark(fig: Figure, mark: str) -> Figure:
    """``fig`` with ``mark`` as the decimal mark of its texts and tick labels (in place;
    returned for convenience). ``"."`` leaves the figure as it is."""
    if mark == ".":
        return fig
    for text in fig.findobj(Text):
        value = text.get_text()
        if _DECIMAL.search(value):
            text.set_text(_DECIMAL.sub(mark, value))
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for major in (True, False):
                inner = axis.get_major_formatter() if major else axis.get_minor_formatter()
                if not isinstance(inner, _Marked):
                    (axis.set_major_formatter if major else axis.set_minor_formatter)(
                        _Marked(inner, mark))
    return fig
