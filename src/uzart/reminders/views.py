"""Notifications in-app, the holder's reminder channels, and the operator's failed deliveries."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from uzart.accounts.access import operator_required
from uzart.accounts.models import User
from uzart.errors import UzartError
from uzart.outbox import selectors as outbox_selectors
from uzart.outbox import services as outbox_services
from uzart.outbox.models import DeliveryStatus
from uzart.outbox.sms import sms_available
from uzart.reminders.forms import ReminderPreferenceForm
from uzart.reminders.selectors import reminder_policy_get


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; unread ones stand out."""
    user = _user(request)
    page = Paginator(outbox_selectors.notification_list(user=user), 30).get_page(request.GET.get("page"))
    items = [(n, *n.render()) for n in page.object_list]
    context = {"page": page, "items": items, "unread": outbox_selectors.notification_unread_count(user=user)}
    return render(request, "reminders/notifications.html", context)


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    outbox_services.notification_mark_read(user=_user(request), notification_id=notification_id)
    return redirect("reminders:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    outbox_services.notification_mark_all_read(user=_user(request))
    return redirect("reminders:notifications")


def _sms_state(user: User) -> tuple[bool, str]:
    if not sms_available():
        return False, _("SMS reminders are not available at the moment.")
    if not user.phone:
        return False, _(
            "There is no phone number in your profile. Ask the operator to add it to get SMS reminders."
        )
    return True, ""


@login_required
def reminder_options(request: HttpRequest) -> HttpResponse:
    """The holder's reminder channels: a full page, or only the form for HTMX (the Options page embeds it)."""
    user = _user(request)
    preference = outbox_selectors.preference_get(user=user)
    sms_possible, sms_reason = _sms_state(user)
    initial = {"email": preference.email, "sms": preference.sms and sms_possible}
    form = ReminderPreferenceForm(
        request.POST or None, initial=initial, sms_possible=sms_possible, sms_reason=sms_reason
    )
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            outbox_services.preference_set(
                user=user, email=form.cleaned_data["email"], sms=bool(form.cleaned_data["sms"])
            )
        except UzartError as error:
            form.add_error(None, str(error))
        else:
            saved = True
            if not request.htmx:  # type: ignore[attr-defined]
                messages.success(request, _("Your reminder settings are saved."))
                return redirect("reminders:options")
    context = {"form": form, "saved": saved, "phone": user.phone, "email_address": user.email}
    status = 400 if form.errors else 200
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "reminders/_preference_form.html", context, status=status)
    policy = reminder_policy_get()
    context.update(policy=policy, policy_days=", ".join(str(day) for day in policy.days))
    return render(request, "reminders/options.html", context, status=status)


@operator_required
def deliveries(request: HttpRequest) -> HttpResponse:
    """Messages that could not be delivered (or are still failing), with a Resend button."""
    user = _user(request)
    status = request.GET.get("status", DeliveryStatus.DEAD)
    rows = outbox_selectors.delivery_list_for_operator(user=user, status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    counts = outbox_selectors.delivery_counts(user=user)
    items = []
    for delivery in page.object_list:
        title, _text = delivery.notification.render()
        items.append((delivery, title))
    context = {
        "page": page,
        "items": items,
        "status": status,
        "statuses": [(value, label, counts[value]) for value, label in DeliveryStatus.choices],
        "resendable": status in (DeliveryStatus.DEAD, DeliveryStatus.FAILED),
    }
    return render(request, "reminders/deliveries.html", context)


@operator_required
@require_POST
def delivery_resend(request: HttpRequest, delivery_id: int) -> HttpResponse:
    outbox_services.delivery_resend(actor=_user(request), delivery_id=delivery_id)
    messages.success(request, _("The message is queued to be sent again."))
    status = request.POST.get("status", "")
    status = status if status in DeliveryStatus.values else DeliveryStatus.DEAD
    return redirect(f"{reverse('reminders:deliveries')}?status={status}")
