"""The page where a user makes and revokes personal API tokens (shown once when made)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from uzart.accounts.models import User
from uzart.api.forms import TokenForm
from uzart.api.selectors import api_token_get_for_user, api_token_list_for_user
from uzart.api.services import api_token_create, api_token_revoke
from uzart.clock import BISHKEK
from uzart.errors import UzartError


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """List the user's tokens and make a new one; the new token is shown on this response only."""
    user = _user(request)
    form = TokenForm(request.POST or None)
    new_token = ""
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time.min, tzinfo=BISHKEK)
            if expires_on
            else None
        )
        try:
            _token, new_token = api_token_create(
                user=user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=expires_at,
            )
        except UzartError as error:
            form.add_error(None, str(error))
        else:
            form = TokenForm()
    response = render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": api_token_list_for_user(user=user), "new_token": new_token},
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"  # the new token must not stay in any cache
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = _user(request)
    token = api_token_get_for_user(user=user, token_id=token_id)
    api_token_revoke(token=token, actor=user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api_tokens")
