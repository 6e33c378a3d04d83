"""Login, home pages and the language switcher."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from uzart.accounts import selectors as account_selectors
from uzart.accounts.access import customer_required, operator_required
from uzart.accounts.models import Company, User
from uzart.accounts.services import company_create, user_set_language
from uzart.errors import ValidationFailed
from uzart.web.forms import CompanyForm, LoginForm


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        translation.activate(user.preferred_language)
        _remember_language(response, user.preferred_language)
        return response


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


@customer_required
def holder_home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context: dict[str, Any] = {
        "memberships": account_selectors.membership_list_for_user(user=user),
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
