"""Users make and revoke their tokens on a page; operators can do the same from the command line."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tests.factories import TEST_PASSWORD
from uzart.api.models import ApiToken
from uzart.api.services import api_token_create

TOKEN_IN_PAGE = re.compile(r'data-testid="new-token">(uzt_[A-Za-z0-9_-]+)<')


def logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"Accept-Language": "en"})
    client.login(email=user.email, password=TEST_PASSWORD)
    return client


def test_a_new_token_is_shown_once_and_works_with_its_scopes_only(api_world):
    client = logged_in(api_world.holder_a)

    made = client.post("/api/v1/tokens/manage/", {"name": "1C", "scopes": ["read"]})
    again = client.get("/api/v1/tokens/manage/")

    match = TOKEN_IN_PAGE.search(made.content.decode())
    assert made.status_code == 200 and match is not None
    assert made["Cache-Control"] == "no-store"
    raw = match.group(1)
    assert raw not in again.content.decode()
    assert raw[:12] in again.content.decode()  # the beginning identifies it in the list
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get("/api/v1/certificates").status_code == 200
    assert api.post("/api/v1/renewals", {}, content_type="application/json").status_code == 403


def test_a_token_needs_a_name_and_a_scope(api_world):
    client = logged_in(api_world.holder_a)

    reply = client.post("/api/v1/tokens/manage/", {"name": "", "scopes": []})

    assert reply.status_code == 400
    assert not ApiToken.objects.exists()


def test_the_owner_revokes_a_token_on_the_page_and_nobody_else_can(api_world):
    row, raw = api_token_create(user=api_world.holder_a, name="laptop", scopes=["sign"])

    other = logged_in(api_world.holder_b).post(f"/api/v1/tokens/manage/{row.pk}/revoke/")
    assert other.status_code == 404
    assert ApiToken.objects.get(pk=row.pk).revoked_at is None

    owner = logged_in(api_world.holder_a).post(f"/api/v1/tokens/manage/{row.pk}/revoke/")
    assert owner.status_code == 302
    assert ApiToken.objects.get(pk=row.pk).revoked_at is not None
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.post("/csc/v1/credentials/list", {}, content_type="application/json").status_code == 401


def test_the_page_needs_a_login(db):
    reply = Client().get("/api/v1/tokens/manage/")

    assert reply.status_code == 302
    assert "/login/" in reply["Location"]


def test_the_command_makes_lists_and_revokes_tokens(api_world):
    out = io.StringIO()
    call_command(
        "api_token", "create", email=api_world.holder_a.email, name="1C", scopes="read,sign", stdout=out
    )
    raw = out.getvalue().strip()
    row = ApiToken.objects.get()
    assert row.digest != raw and raw.startswith(row.prefix)
    assert row.scopes == ["read", "sign"]

    listing = io.StringIO()
    call_command("api_token", "list", email=api_world.holder_a.email, stdout=listing)
    assert row.prefix in listing.getvalue() and raw not in listing.getvalue()

    with pytest.raises(CommandError):
        call_command("api_token", "revoke", id=row.pk, by=api_world.holder_b.email)
    call_command("api_token", "revoke", id=row.pk, by=api_world.admin.email, stdout=io.StringIO())
    assert ApiToken.objects.get(pk=row.pk).revoked_at is not None


def test_the_command_refuses_an_unknown_scope(api_world):
    with pytest.raises(CommandError):
        call_command(
            "api_token", "create", email=api_world.holder_a.email, scopes="admin", stdout=io.StringIO()
        )
    assert not ApiToken.objects.exists()
