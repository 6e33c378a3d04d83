"""The renewals-per-month bar chart as inline, accessible SVG (matplotlib, text kept as text)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
from dataclasses import asdict, dataclass

from django.core.cache import cache
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from uzart.stats.selectors import RenewalStats

CACHE_SECONDS = 3600
CACHE_VERSION = "1"
REMOTE_COLOUR = "#0b5d8a"  # the site's brand blue
OFFICE_COLOUR = "#c77700"  # orange, told apart from blue also by its hatching
FONT = "DejaVu Sans"  # has Cyrillic glyphs; ships with matplotlib
_render_lock = threading.Lock()  # matplotlib's rcParams are process-global


@dataclass(frozen=True)
class ChartText:
    """Every word of the chart, in one language."""

    title: str
    remote: str
    office: str
    x_label: str
    y_label: str
    months: tuple[str, ...]
    summary: str


def _chart_text(stats: RenewalStats) -> ChartText:
    months = []
    for index, row in enumerate(stats.months):
        label = date_format(row.month, "M")
        if index == 0 or row.month.month == 1:
            label += f"\n{row.month.year}"
        months.append(label)
    return ChartText(
        title=_("Renewed EDSs per month"),
        remote=_("Remote"),
        office=_("At the office"),
        x_label=_("Month"),
        y_label=_("EDSs renewed"),
        months=tuple(months),
        summary=_("%(first)s – %(last)s: %(remote)d renewed remotely, %(office)d at the office.")
        % {
            "first": date_format(stats.first_month, "F Y"),
            "last": date_format(stats.last_month, "F Y"),
            "remote": stats.remote_total,
            "office": stats.office_total,
        },
    )


def _render(text: ChartText, remote: list[int], office: list[int]) -> str:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    style = {"svg.fonttype": "none", "svg.hashsalt": "uzart-stats", "font.family": FONT, "font.size": 9}
    with _render_lock, matplotlib.rc_context(style):  # type: ignore[arg-type]
        figure = Figure(figsize=(8, 3.4))
        figure.subplots_adjust(left=0.08, right=0.99, top=0.9, bottom=0.2)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        positions = list(range(len(remote)))
        width = 0.4
        axes.bar([p - width / 2 for p in positions], remote, width, label=text.remote, color=REMOTE_COLOUR)
        axes.bar(
            [p + width / 2 for p in positions],
            office,
            width,
            label=text.office,
            color=OFFICE_COLOUR,
            hatch="//",
            edgecolor="white",
        )
        axes.set_title(text.title, fontsize=11, loc="left")
        axes.set_xlabel(text.x_label)
        axes.set_ylabel(text.y_label)
        axes.set_xticks(positions, text.months, fontsize=8)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(bottom=0, top=max([*remote, *office, 1]) * 1.1)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(frameon=False, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return _accessible(out.getvalue(), text)


def _accessible(svg: str, text: ChartText) -> str:
    """Inline-ready SVG: no XML prolog, scales to its box, named by a <title> and described by <desc>."""
    svg = svg[svg.index("<svg") :]
    opening_end = svg.index(">")
    opening = re.sub(r'\s(?:width|height)="[^"]*"', "", svg[:opening_end])
    attributes = (
        f' width="100%" role="img" aria-label="{escape(text.title)}"'
        ' aria-labelledby="renewals-chart-title" aria-describedby="renewals-chart-desc"'
        ' style="max-width: 48rem; height: auto; display: block"'
    )
    elements = (
        f'<title id="renewals-chart-title">{escape(text.title)}</title>'
        f'<desc id="renewals-chart-desc">{escape(text.summary)}</desc>'
    )
    return opening + attributes + ">" + elements + svg[opening_end + 1 :]


def renewal_chart_svg(*, stats: RenewalStats, language: str | None = None) -> SafeString:
    """The remote-vs-office bar chart of ``stats`` in ``language``; cached per language and data."""
    with translation.override(language or translation.get_language()):
        text = _chart_text(stats)
    remote = [row.remote for row in stats.months]
    office = [row.office for row in stats.months]
    fingerprint = hashlib.sha256(
        json.dumps([asdict(text), remote, office], ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()
    key = f"uzart:stats:chart:{CACHE_VERSION}:{fingerprint}"
    svg = cache.get(key)
    if svg is None:
        svg = _render(text, remote, office)
        cache.set(key, svg, CACHE_SECONDS)
    return mark_safe(svg)  # noqa: S308 - built here from escaped text and matplotlib's own markup
