"""The chart is accessible inline SVG with text kept as text, translated, and rendered once per data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import translation

from uzart.stats import charts
from uzart.stats.humanize import duration_humanize
from uzart.stats.selectors import MonthCount, RenewalStats, month_add


def stats_of(remote: list[int], office: list[int], first: dt.date = dt.date(2025, 11, 1)) -> RenewalStats:
    months = tuple(
        MonthCount(month=month_add(first, index), remote=r, office=o)
        for index, (r, o) in enumerate(zip(remote, office, strict=True))
    )
    return RenewalStats(
        first_month=months[0].month,
        last_month=months[-1].month,
        months=months,
        remote_in_time=0,
        median_processing=None,
        specialists=None,
    )


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_chart_is_inline_svg_named_by_a_title_with_its_words_as_text():
    svg = str(charts.renewal_chart_svg(stats=stats_of([3, 0, 5], [1, 2, 0]), language="en"))

    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert 'role="img"' in svg and 'aria-labelledby="renewals-chart-title"' in svg
    assert '<title id="renewals-chart-title">Renewed EDSs per month</title>' in svg
    assert "November 2025 – January 2026: 8 renewed remotely, 3 at the office." in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert {"Remote", "At the office", "Month", "EDSs renewed"} <= set(texts)
    assert "DejaVu Sans" in svg


def test_russian_chart_keeps_its_cyrillic_words_as_text():
    svg = str(charts.renewal_chart_svg(stats=stats_of([1, 2], [0, 1]), language="ru"))
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "Удалённо" in texts and "В офисе" in texts
    assert "Продлённые ЭЦП по месяцам" in svg
    assert any(re.search("[а-яё]", text) for text in texts if "Ноя" in text or "Дек" in text)


def test_kyrgyz_chart_has_kyrgyz_words():
    svg = str(charts.renewal_chart_svg(stats=stats_of([1], [0]), language="ky"))
    assert "Алыстан" in svg


def test_the_chart_is_rendered_once_per_language_and_data(monkeypatch):
    calls = []
    render = charts._render

    def counting_render(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args[0].title)
        return render(*args, **kwargs)

    monkeypatch.setattr(charts, "_render", counting_render)
    data = stats_of([1, 2], [3, 4])
    first = charts.renewal_chart_svg(stats=data, language="en")
    assert charts.renewal_chart_svg(stats=data, language="en") == first
    assert len(calls) == 1
    charts.renewal_chart_svg(stats=data, language="ru")
    charts.renewal_chart_svg(stats=stats_of([1, 2], [3, 5]), language="en")
    assert len(calls) == 3


def test_the_chart_language_does_not_leak_into_the_caller():
    with translation.override("en"):
        charts.renewal_chart_svg(stats=stats_of([1], [1]), language="ky")
        assert translation.get_language() == "en"


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [
        (dt.timedelta(days=2, hours=5, minutes=10), "en", "2 days 5 hours"),
        (dt.timedelta(days=1, minutes=40), "en", "1 day 1 hour"),
        (dt.timedelta(days=3), "en", "3 days"),
        (dt.timedelta(hours=4, minutes=15), "en", "4 hours 15 minutes"),
        (dt.timedelta(minutes=1), "en", "1 minute"),
        (dt.timedelta(seconds=20), "en", "less than a minute"),
        (dt.timedelta(days=2, hours=5), "ru", "2 дня 5 часов"),
        (dt.timedelta(days=21, hours=1), "ru", "21 день 1 час"),
        (dt.timedelta(days=5, hours=22), "ru", "5 дней 22 часа"),
        (dt.timedelta(days=2, hours=5), "ky", "2 күн 5 саат"),
    ],
)
def test_processing_time_is_said_in_days_and_hours_in_the_reader_language(value, language, expected):
    with translation.override(language):
        assert duration_humanize(value) == expected
