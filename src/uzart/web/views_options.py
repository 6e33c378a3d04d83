"""The Options page: the service described, the holder's reminder settings, statistics of renewed EDSs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from uzart.accounts.models import User
from uzart.errors import ValidationFailed
from uzart.stats.charts import renewal_chart_svg
from uzart.stats.forms import StatsPeriodForm
from uzart.stats.humanize import duration_humanize
from uzart.stats.selectors import RenewalStats, renewal_stats


def _stats_for(user: User, form: StatsPeriodForm | None) -> RenewalStats:
    """The statistics for the period the operator chose, or the last twelve months."""
    if form is None or not form.is_bound or not form.is_valid():
        return renewal_stats(user=user)
    try:
        return renewal_stats(
            user=user,
            first_month=form.cleaned_data["first_month"],
            last_month=form.cleaned_data["last_month"],
        )
    except ValidationFailed as exc:
        form.add_error(None, str(exc))
        return renewal_stats(user=user)


@login_required
def options(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = StatsPeriodForm(request.GET or None) if user.is_operator else None
    stats = _stats_for(user, form)
    context: dict[str, Any] = {
        "stats": stats,
        "chart_svg": renewal_chart_svg(stats=stats, language=get_language()),
        "median_text": duration_humanize(stats.median_processing) if stats.median_processing else "",
        "period_form": form,
        "show_reminders": not user.is_operator,
        "window_days": settings.RENEWAL_WINDOW_DAYS,
        "deadline_days": settings.RENEWAL_DEADLINE_WORKING_DAYS,
    }
    return render(
        request, "web/options.html", context, status=400 if form is not None and form.errors else 200
    )
