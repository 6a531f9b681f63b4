"""Figures print the Chinese of a hospital's labels and levels, not empty boxes."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager

from oncocohort.report.figures._style import FONT_FAMILY
from oncocohort.report.figures.forest import compute_forest_figure
from oncocohort.report.figures.render import render_figure


def test_chinese_labels_have_their_glyphs():
    if not any("CJK" in f.name for f in font_manager.fontManager.ttflist):
        pytest.skip("no CJK font installed (CI installs fonts-noto-cjk)")
    nan = np.nan
    rows = pd.DataFrame({"label": ["治疗组", "左旋咪唑+5-FU vs 观察", "淋巴结≥4枚", "是 vs 否"],
                         "hr": [nan, 0.64, nan, 2.36], "lower": [nan, 0.51, nan, 1.97],
                         "upper": [nan, 0.80, nan, 2.83], "p": [nan, 1e-3, nan, 1e-3]})
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font")  # a box drawn
        fig = compute_forest_figure(rows, title="无事件生存").figure
        assert render_figure(fig, ("png",))["png"][:4] == b"\x89PNG"
    assert FONT_FAMILY[0] == "DejaVu Sans"  # Latin text unchanged


def test_a_font_family_not_installed_is_not_asked_for(caplog):
    """On a machine without the CJK fonts, matplotlib would log "findfont: Font family ...
    not found" for every text of every figure (thousands of lines on the demo's console) and
    spend seconds looking: the style asks only for families the machine has."""
    from oncocohort.report.figures._style import RC, installed_families

    assert installed_families(("DejaVu Sans", "No Such Family Anywhere")) == ["DejaVu Sans"]
    assert installed_families(("No Such Family Anywhere",)) == ["DejaVu Sans"]
    have = {f.name for f in font_manager.fontManager.ttflist}
    assert RC["font.family"][0] == "DejaVu Sans"
    assert set(RC["font.family"]) <= have
    rows = pd.DataFrame({"label": ["Age", "≥65 vs <65"], "hr": [np.nan, 1.2],
                         "lower": [np.nan, 0.8], "upper": [np.nan, 1.9], "p": [np.nan, 0.4]})
    with caplog.at_level("WARNING", logger="matplotlib.font_manager"):
        render_figure(compute_forest_figure(rows, title="Overall survival").figure, ("png",))
    assert not [r for r in caplog.records if "findfont" in r.getMessage()]
