"""Chinese in figures: find a CJK font, register it with matplotlib, or say once that there is none.

Matplotlib's default font (DejaVu Sans) has no Chinese characters: a label such
as ``食品杂货`` is drawn as boxes, with one "Glyph … missing from font" warning per
character. :func:`use_cjk_font` fixes that for every figure of the process:

1. it looks for a CJK font — first among the fonts matplotlib already knows, then
   as files in the usual places of Windows (Microsoft YaHei, SimHei, DengXian),
   macOS (PingFang SC, Hiragino Sans GB, STHeiti, Arial Unicode) and Linux
   (Noto Sans CJK SC, Source Han Sans, WenQuanYi Micro Hei / Zen Hei, Droid Sans
   Fallback), and last through ``fc-list :lang=zh``;
2. it registers the file with ``matplotlib.font_manager.fontManager.addfont`` — so
   a font installed after matplotlib built its font cache is found too — and puts
   its family second in ``font.family``, after ``sans-serif`` (DejaVu Sans): Latin
   letters keep their look, Chinese characters come from the CJK font
   (matplotlib's per-glyph font fallback);
3. with no CJK font anywhere it shows **one** note (:class:`NoCJKFontWarning`,
   saying how to install one) when the course language is Chinese, and silences
   matplotlib's per-character warnings for CJK characters in every case.

:func:`crmlab.explore.projector_style` includes :func:`font_rc`, so every explorer
and ``crmlab.plots`` figure uses it. On Debian/Ubuntu ``make course`` installs
``fonts-noto-cjk`` when no CJK font is present (``.ci/install-cjk-font``).

Example
-------
>>> found = cjk_font()        # e.g. ('Noto Sans CJK SC', '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc')
>>> found is None or isinstance(found[0], str)
True
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import warnings
from functools import lru_cache
from pathlib import Path

__all__ = ["CJK_FAMILIES", "NoCJKFontWarning", "find_cjk_font", "cjk_font", "use_cjk_font", "font_rc",
           "NO_FONT_NOTE"]

#: font families that hold simplified Chinese, best first
CJK_FAMILIES = (
    "Microsoft YaHei", "SimHei", "DengXian", "PingFang SC", "Hiragino Sans GB", "Heiti SC", "STHeiti",
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans CJK JP",
    "Noto Sans CJK TC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Droid Sans Fallback", "AR PL UMing CN",
    "Arial Unicode MS",
)

#: font files to try, by platform (globs; the first that exists wins)
FONT_FILES = (
    # Windows
    "C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/msyh.ttf", "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/Deng.ttf",
    # macOS
    "/System/Library/Fonts/PingFang.ttc", "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc", "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    # Linux (Debian/Ubuntu fonts-noto-cjk, Fedora google-noto-sans-cjk, WenQuanYi, Droid)
    "/usr/share/fonts/opentype/noto/NotoSansCJK*-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK*-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK*-Regular.ttc", "/usr/share/fonts/**/NotoSansCJK*-Regular.ttc",
    "/usr/share/fonts/**/NotoSansSC-Regular.*", "/usr/share/fonts/**/SourceHanSans*-Regular.*",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/**/wqy-*.ttc", "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "~/.fonts/**/NotoSansCJK*.ttc", "~/.local/share/fonts/**/NotoSansCJK*.ttc",
)

NO_FONT_NOTE = ("crmlab: no Chinese (CJK) font found, so Chinese text in figures shows as empty boxes. "
                "Install one and restart the kernel — Debian/Ubuntu: sudo apt-get install fonts-noto-cjk "
                "(`make course` does it as root); Fedora: sudo dnf install google-noto-sans-cjk-fonts; "
                "conda: conda install -c conda-forge font-ttf-noto-cjk. "
                "(Windows and macOS have one: Microsoft YaHei, PingFang SC.)")

# matplotlib's per-character warning, for CJK characters (and the full-width punctuation of Chinese text)
_CJK_GLYPH_WARNING = r"Glyph \d+ \(\\N\{(CJK|FULLWIDTH|IDEOGRAPHIC|HALFWIDTH|KANGXI)"


class NoCJKFontWarning(UserWarning):
    """No CJK font was found: Chinese text in figures cannot be drawn (shown once per process)."""


def _known_font():
    """A CJK font matplotlib already knows (its font cache): ``(family, path)`` or None."""
    from matplotlib import font_manager

    by_name: dict = {}
    for f in sorted(font_manager.fontManager.ttflist, key=lambda f: f.weight not in (400, "normal", "regular")):
        by_name.setdefault(f.name, f.fname)          # the regular face's file first
    for family in CJK_FAMILIES:
        if family in by_name:
            return family, by_name[family]
    return None


def _font_files():
    """Candidate CJK font files on this machine, in the order of :data:`FONT_FILES`, then fc-list's."""
    for pattern in FONT_FILES:
        for path in sorted(glob.glob(os.path.expanduser(pattern), recursive=True)):
            yield path
    fc_list = shutil.which("fc-list")
    if fc_list:
        try:
            out = subprocess.run([fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        for line in sorted(out.splitlines()):
            path = line.split(":", 1)[0].strip()
            if path.lower().endswith((".ttf", ".ttc", ".otf")):
                yield path


def find_cjk_font():
    """``(family, path)`` of a CJK font on this machine, or None.

    Looks in matplotlib's font list first, then in the files of :data:`FONT_FILES`
    and ``fc-list :lang=zh``. A file is registered with
    ``font_manager.fontManager.addfont`` (for a collection ``.ttc``, its first face).
    """
    known = _known_font()
    if known is not None:
        return known
    from matplotlib import font_manager

    for path in _font_files():
        if not Path(path).is_file():
            continue
        try:
            font_manager.fontManager.addfont(path)
            family = font_manager.FontProperties(fname=path).get_name()
        except (OSError, RuntimeError, ValueError):
            continue                       # unreadable file: try the next one
        for bold in _bold_files(path):     # bold titles in Chinese too
            try:
                font_manager.fontManager.addfont(bold)
            except (OSError, RuntimeError, ValueError):
                pass
        return _known_font() or (family, path)   # a collection registers every face: prefer the SC one
    return None


def _bold_files(path: str) -> list[str]:
    """The bold face beside a regular font file, if there is one (NotoSansCJK-Bold.ttc, msyhbd.ttc)."""
    p = Path(path)
    names = [p.name.replace("Regular", "Bold"), p.stem + "bd" + p.suffix]
    return [str(p.with_name(n)) for n in names if n != p.name and p.with_name(n).is_file()]


class _QuietBoldFallback:
    """A logging filter: drop matplotlib's "Failed to find font weight bold for <CJK family>" (it then uses regular)."""

    def filter(self, record) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not (record.getMessage().startswith("findfont: Failed to find font weight")
                    and len(args) > 1 and str(args[1]) in CJK_FAMILIES)


@lru_cache(maxsize=None)
def cjk_font():
    """:func:`find_cjk_font`, searched once per process."""
    import logging

    found = find_cjk_font()
    if found is not None:
        logging.getLogger("matplotlib.font_manager").addFilter(_QuietBoldFallback())
    return found


_noted = False


def _no_font() -> None:
    """Silence matplotlib's per-character CJK warnings; say once (in a Chinese course) why boxes appear."""
    global _noted
    warnings.filterwarnings("ignore", message=_CJK_GLYPH_WARNING, category=UserWarning)
    if _noted:
        return
    _noted = True
    from crmlab.exercises.messages import course_language

    if course_language() == "zh":
        warnings.warn(NO_FONT_NOTE, NoCJKFontWarning, stacklevel=3)


def font_rc() -> dict:
    """The matplotlib settings that draw Chinese: ``{"font.family": ["sans-serif", <CJK family>]}``.

    Matplotlib falls back along ``font.family`` glyph by glyph: Latin text keeps
    the sans-serif font (DejaVu Sans), a Chinese character comes from the CJK one.

    Empty (and :func:`_no_font`'s note) when there is no CJK font.
    """
    found = cjk_font()
    if found is None:
        _no_font()
        return {}
    return {"font.family": ["sans-serif", found[0]]}


def use_cjk_font():
    """Make every later figure of this process draw Chinese; returns the CJK family used, or None.

    Sets ``font.family`` in ``matplotlib.rcParams`` (see :func:`font_rc`).
    """
    rc = font_rc()
    if rc:
        import matplotlib

        matplotlib.rcParams.update(rc)
        return rc["font.family"][1]
    return None
