"""CJK font selection and the English fallback, without any warning; offline maps."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest
from broken_inputs.minidata import write_mini

from riskplan.datasets import read_dataset
from riskplan.plotting import fonts
from riskplan.plotting.fonts import find_cjk_font, label, use_cjk_font
from riskplan.plotting.maps import plot_establishments, plot_townships


@pytest.fixture(autouse=True)
def _restore_rcparams():
    with mpl.rc_context():
        yield
    plt.close("all")


@pytest.fixture(scope="module")
def mini_ds(tmp_path_factory: pytest.TempPathFactory):
    return read_dataset(write_mini(tmp_path_factory.mktemp("fonts") / "m"))


def _draw_everything(ds) -> plt.Figure:
    fig, axes = plt.subplots(1, 3, figsize=(9, 3))
    plot_townships(ds.townships, ax=axes[0])
    plot_townships(ds.townships, column="population", ax=axes[1])
    plot_establishments(ds.establishments, ds.townships, by="stage", ax=axes[2], labels=True)
    axes[0].set_title(label("乡镇人口", "township population"))
    fig.canvas.draw()  # glyph warnings are emitted at draw time
    return fig


def test_label_english_without_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(fonts.NO_FONT_ENV, "1")
    assert find_cjk_font() is None
    assert use_cjk_font() is False
    assert label("乡镇", "township") == "township"


def test_use_cjk_font_can_be_forced_off() -> None:
    assert use_cjk_font(enable=False) is False
    assert not set(mpl.rcParams["font.sans-serif"]) & set(fonts.CJK_FONTS)


def test_no_font_mode_draws_english_without_warnings(monkeypatch: pytest.MonkeyPatch,
                                                      mini_ds) -> None:
    use_cjk_font()  # even if an earlier call selected the CJK font ...
    monkeypatch.setenv(fonts.NO_FONT_ENV, "1")  # ... the fallback removes it again
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = _draw_everything(mini_ds)
    assert [str(w.message) for w in caught] == []
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "West" in texts and "西街道" not in texts
    assert fig.axes[0].get_title() == "township population"
    assert "establishments" in fig.axes[2].get_title()


@pytest.mark.skipif(find_cjk_font() is None, reason="no CJK font installed")
def test_cjk_font_draws_chinese_without_warnings(monkeypatch: pytest.MonkeyPatch,
                                                 mini_ds) -> None:
    monkeypatch.delenv(fonts.NO_FONT_ENV, raising=False)
    assert use_cjk_font() is True
    assert mpl.rcParams["font.sans-serif"][0] == find_cjk_font()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = _draw_everything(mini_ds)
    assert [str(w.message) for w in caught] == []
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "西街道" in texts
    assert fig.axes[0].get_title() == "乡镇人口"
    assert fig.axes[2].get_title().startswith("经营主体 5 家")


def test_debian_noto_font_is_found_here() -> None:
    # This machine has Debian's fonts-noto-cjk; elsewhere the fallback is tested above.
    installed = {f.name for f in mpl.font_manager.fontManager.ttflist}
    if "Noto Sans CJK SC" not in installed:
        pytest.skip("fonts-noto-cjk not installed")
    assert find_cjk_font() == "Noto Sans CJK SC"


def test_map_saves_png_offline(tmp_path: Path, mini_ds) -> None:
    ax = plot_establishments(mini_ds.establishments, mini_ds.townships, by="risk_grade")
    out = tmp_path / "map.png"
    ax.figure.savefig(out, dpi=50)
    assert out.stat().st_size > 1000
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["A (1)", "B (1)", "C (1)", "D (1)"]  # the 5th has no coordinates


_STALE_CACHE = r"""
import json, pathlib, re
from matplotlib import font_manager as fm
import matplotlib
cache = next(pathlib.Path(matplotlib.get_cachedir()).glob("fontlist-v*.json"))
data = json.loads(cache.read_text())
data["ttflist"] = [f for f in data["ttflist"] if not re.search("cjk", f["fname"], re.I)]
cache.write_text(json.dumps(data))
"""

_FIND = r"""
from riskplan.plotting import fonts
print("cache:", fonts._preferred())
print("found:", fonts.find_cjk_font())
print("note:", repr(fonts.font_note()))
"""


def test_a_font_missing_from_matplotlibs_cache_is_found(tmp_path: Path) -> None:
    """A CJK font installed after matplotlib built its font list (a stale cache) is still found."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path), "MPLBACKEND": "Agg"}
    env.pop(fonts.NO_FONT_ENV, None)
    subprocess.run([sys.executable, "-c", _STALE_CACHE], env=env, check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-c", _FIND], env=env, check=True, capture_output=True,
                         text=True).stdout
    assert "cache: None" in out  # the cache knows no CJK font ...
    assert "found: Noto Sans CJK SC" in out  # ... the system's font files are searched once
    assert "note: ''" in out


def test_without_a_cjk_font_the_note_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(fonts.NO_FONT_ENV, "1")
    note = fonts.font_note()
    assert "labels are in English" in note and "fonts-noto-cjk" in note
    monkeypatch.delenv(fonts.NO_FONT_ENV)
    assert fonts.font_note() == ""
