"""``uzart api_token``: make, list and revoke personal API tokens from the command line."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from uzart import clock
from uzart.accounts.models import User
from uzart.api.models import ApiToken, Scope
from uzart.api.selectors import api_token_list_for_user
from uzart.api.services import api_token_create, api_token_revoke
from uzart.clock import BISHKEK
from uzart.errors import UzartError


class Command(BaseCommand):
    help = (
        "Personal API tokens. 'create --email E --name N --scopes read,sign [--days 90]' prints the token "
        "once; 'list --email E'; 'revoke --id ID --by ADMIN_EMAIL'."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("--email", help="the token owner's e-mail (create, list)")
        parser.add_argument("--name", default="", help="what the token is for (create)")
        parser.add_argument(
            "--scopes", default=Scope.READ, help="comma-separated: read, write, sign (create)"
        )
        parser.add_argument("--days", type=int, default=0, help="valid for this many days; 0 = until revoked")
        parser.add_argument("--id", type=int, help="the token to revoke")
        parser.add_argument("--by", help="e-mail of the operator administrator who revokes (audited)")

    def _user(self, email: str | None, what: str) -> User:
        if not email:
            raise CommandError(f"name the {what} with its e-mail")
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"no user with e-mail {email}")
        return user

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "revoke":
            token = ApiToken.objects.select_related("user").filter(pk=options["id"]).first()
            if token is None:
                raise CommandError("no token with that id")
            actor = self._user(options["by"], "operator administrator (--by)")
            try:
                api_token_revoke(token=token, actor=actor)
            except UzartError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"revoked token {token.pk} ({token.prefix}…) of {token.user.email}")
            return
        user = self._user(options["email"], "token owner (--email)")
        if action == "list":
            for token in api_token_list_for_user(user=user):
                state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
                self.stdout.write(
                    f"{token.pk}\t{token.prefix}…\t{token.name}\t{','.join(token.scopes)}\t{state}"
                )
            return
        days = options["days"]
        expires_at = None
        if days > 0:
            today = clock.today_bishkek()
            expires_at = dt.datetime.combine(today + dt.timedelta(days=days + 1), dt.time.min, tzinfo=BISHKEK)
        try:
            _token, raw = api_token_create(
                user=user,
                name=options["name"] or "command line",
                scopes=[s.strip() for s in options["scopes"].split(",") if s.strip()],
                expires_at=expires_at,
            )
        except UzartError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(raw)
