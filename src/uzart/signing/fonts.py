"""The Cyrillic font of the request PDFs, parsed once per process and lent to every document.

fpdf2's ``add_font`` parses the TrueType file for every document, and at output it subsets the whole
font (about 6,000 glyphs of DejaVu Sans) again. Here the font is cut once per process down to the
scripts a request can contain (Latin, Cyrillic with the Kyrgyz letters, punctuation), and fpdf2's
``TTFFont`` is built once from it. Each document then gets a shallow clone: the read-only tables
(character map, widths, descriptor values) are shared, while the parts fpdf2 changes while writing a
document — the subset map, the font descriptor object, and the fontTools font it subsets in place —
are fresh per document. Nothing here is per request or per user; every process builds its own copy.

Written against fpdf2 2.8 (``fpdf.fonts.TTFFont`` / ``SubsetMap``); ``tests/signing`` checks that a
document set with the shared font has the same text as one set with ``add_font``.
"""

from __future__ import annotations

import copy
import functools
import io
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from fontTools import subset as ft_subset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

FAMILY = "dejavusans"
DEBIAN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
# Latin with its supplements, Cyrillic with the Kyrgyz letters (ң ө ү) and its supplement, general
# punctuation (dashes, quotes, ellipsis), currency signs and letter-like symbols (№).
UNICODE_RANGES = (
    (0x0020, 0x007E),
    (0x00A0, 0x024F),
    (0x0400, 0x052F),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x214F),
)
CHARACTERS = frozenset(code for first, last in UNICODE_RANGES for code in range(first, last + 1))


def font_path() -> Path:
    """DejaVu Sans from matplotlib's data, else Debian's fonts-dejavu-core; no font file is committed."""
    candidates = []
    try:
        import matplotlib

        candidates.append(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        pass
    candidates.append(DEBIAN_FONT)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ImproperlyConfigured(
        "No DejaVuSans.ttf found for the request PDFs: install matplotlib or the Debian package "
        "fonts-dejavu-core."
    )


@dataclass(frozen=True)
class _SharedFont:
    template: TTFFont
    font_bytes: bytes


@functools.cache
def _shared_font() -> _SharedFont:
    path = font_path()
    font = ttLib.TTFont(path, recalcTimestamp=False)
    # Keep glyph names: fpdf2 finds the glyphs of a document's subset by name.
    options = ft_subset.Options(glyph_names=True, notdef_outline=True, recommended_glyphs=True)
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "MATH", "FFTM", "hdmx"]
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=CHARACTERS)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    font_bytes = buffer.getvalue()
    template = TTFFont(FPDF(), path, FAMILY, "", set(CHARACTERS))
    template.ttfont.close()  # its parsed tables stay in memory; the file handle is not needed
    return _SharedFont(template=template, font_bytes=font_bytes)


def font_install(pdf: FPDF) -> str:
    """Make the shared Cyrillic font available to ``pdf`` (no file is read); return its family name."""
    shared = _shared_font()
    template = shared.template
    font = TTFFont.__new__(TTFFont)
    for name in TTFFont.__slots__:
        if hasattr(template, name):
            setattr(font, name, getattr(template, name))
    # What fpdf2 changes while it writes one document must belong to that document alone.
    font.i = len(pdf.fonts) + 1
    font.desc = copy.copy(template.desc)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.color_font = None
    font.ttfont = ttLib.TTFont(io.BytesIO(shared.font_bytes), recalcTimestamp=False, lazy=True)
    font.subset = SubsetMap(font)
    pdf.fonts[template.fontkey] = font
    return FAMILY


def font_load(pdf: FPDF) -> str:
    """Load the font the way fpdf2 does by default, reading and parsing the file (for comparisons)."""
    pdf.add_font(FAMILY, "", str(font_path()))
    return FAMILY
