"""Login, home pages and the language switcher."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from uzart import clock
from uzart.accounts import selectors as account_selectors
from uzart.accounts.access import customer_required, operator_required
from uzart.accounts.models import Company, User
from uzart.accounts.services import company_create, user_set_language
from uzart.audit.services import audit_record
from uzart.errors import NotFound, UzartError, ValidationFailed
from uzart.keystore.errors import InvalidPin
from uzart.keystore.services import key_change_pin
from uzart.pki.selectors import certificate_active_for, certificate_list_for_owner
from uzart.signing import eds_login as eds
from uzart.web.forms import CompanyForm, LoginForm, PinChangeForm, PinForm

EDS_PENDING = "uzart_eds_pending"
EDS_SERIAL = "uzart_eds_serial"
EDS_STEP_SECONDS = 300


class LoginView(auth_views.LoginView):
    """Step one: e-mail and password. Holders go on to the EDS step; others are logged in."""

    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if eds.user_needs_eds(user=user):
            if certificate_active_for(user=user) is None:
                audit_record(
                    actor=user,
                    action="login.refused",
                    target=user,
                    data={"reason": "no certificate in force"},
                )
                form.add_error(None, eds.expired_message(user=user))
                return self.render_to_response(self.get_context_data(form=form), status=403)
            self.request.session[EDS_PENDING] = {
                "user": user.pk,
                "at": clock.now().timestamp(),
                "next": self.get_redirect_url(),
            }
            response: HttpResponse = redirect("web:login_eds")
        else:
            response = super().form_valid(form)
            audit_record(actor=user, action="login.success", target=user, data={"method": "password"})
        translation.activate(user.preferred_language)
        _remember_language(response, user.preferred_language)
        return response


def _pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(EDS_PENDING)
    if not pending or clock.now().timestamp() - pending.get("at", 0) > EDS_STEP_SECONDS:
        return None
    return User.objects.filter(pk=pending.get("user"), is_active=True).first()


def login_eds(request: HttpRequest) -> HttpResponse:
    """Step two for holders: the EDS PIN signs a fresh challenge with the active cloud key."""
    user = _pending_user(request)
    if user is None:
        messages.error(request, _("Please log in again."))
        return redirect("web:login")
    certificate = certificate_active_for(user=user)
    form = PinForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            proof = eds.eds_login_verify(user=user, pin=form.cleaned_data["pin"])
        except UzartError as error:
            form.add_error("pin", str(error))
            status = error.status_code
        else:
            next_url = request.session[EDS_PENDING].get("next") or ""
            del request.session[EDS_PENDING]
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[EDS_SERIAL] = proof.certificate.serial
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = ""
            return redirect(next_url or "web:home")
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "web/login_eds.html",
        {"form": form, "pending": user, "certificate": certificate},
        status=status,
    )


def _remember_language(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        httponly=False,
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered in a cookie and on the user's profile."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        _remember_language(response, language)
        if request.user.is_authenticated:
            user_set_language(user=request.user, language=language)
    return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its own home page."""
    user: User = request.user  # type: ignore[assignment]
    return redirect("web:operator_home" if user.is_operator else "web:holder_home")


def _certificate_state(certificate: Any, now: Any) -> str:
    """in_force, waiting, expired or revoked, read from the dates (never stored)."""
    if certificate.revoked_at is not None and certificate.revoked_at <= now:
        return "revoked"
    if now < certificate.not_before:
        return "waiting"
    return "in_force" if now < certificate.not_after else "expired"


@customer_required
def holder_home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    now = clock.now()
    active = certificate_active_for(user=user, at=now)
    certificates = [
        {
            "certificate": certificate,
            "state": _certificate_state(certificate, now),
            "active": active is not None and certificate.pk == active.pk,
        }
        for certificate in certificate_list_for_owner(user=user)[:20]
    ]
    context: dict[str, Any] = {
        "memberships": account_selectors.membership_list_for_user(user=user),
        "certificates": certificates,
        "active": active,
    }
    return render(request, "web/holder_home.html", context)


@operator_required
def operator_home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    companies = account_selectors.company_search(query=query)[:50]
    context = {"query": query, "companies": companies, "company_count": Company.objects.count()}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "web/_company_rows.html", context)
    return render(request, "web/operator_home.html", context)


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@operator_required
def company_new(request: HttpRequest) -> HttpResponse:
    """Register a customer company; bad input is shown on the form and nothing is saved."""
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            company = company_create(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationFailed as exc:
            for field, errors in getattr(exc, "errors", {"__all__": [str(exc)]}).items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Company %(name)s registered.") % {"name": company.legal_name})
            return redirect("web:operator_home")
    status = 400 if form.errors else 200
    return render(request, "web/company_new.html", {"form": form}, status=status)


@customer_required
def pin_change(request: HttpRequest) -> HttpResponse:
    """Change the PIN of the holder's EDS in use; the current PIN is required (and counted)."""
    user: User = request.user  # type: ignore[assignment]
    certificate = certificate_active_for(user=user)
    if certificate is None or certificate.key is None:
        raise NotFound(_("You have no EDS in the cloud whose PIN could be changed."))
    form = PinChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key_change_pin(
                key=certificate.key,
                old_pin=form.cleaned_data["old_pin"],
                new_pin=form.cleaned_data["new_pin"],
                actor=user,
            )
        except UzartError as error:
            field = "new_pin" if isinstance(error, InvalidPin) else "old_pin"
            form.add_error(field, str(error))
        else:
            messages.success(request, _("The PIN of your EDS has been changed."))
            return redirect("web:holder_home")
    status = 400 if form.errors else 200
    return render(request, "web/pin_change.html", {"form": form, "certificate": certificate}, status=status)
