from typing import Any

from django.core.management.base import BaseCommand, CommandError

from uzart.accounts.models import User
from uzart.errors import UzartError
from uzart.keystore.models import CloudKey
from uzart.keystore.services import key_unlock


class Command(BaseCommand):
    help = (
        "Cloud key tools. 'uzart keys list --email E' shows a user's keys; "
        "'uzart keys unlock --email E --by OPERATOR' unlocks the keys locked by wrong PINs."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["list", "unlock"])
        parser.add_argument("--email", required=True, help="the key owner's e-mail")
        parser.add_argument("--by", help="e-mail of the operator staff member who unlocks (audited)")

    def handle(self, *args: Any, action: str, email: str, by: str | None, **options: Any) -> None:
        owner = User.objects.filter(email__iexact=email).first()
        if owner is None:
            raise CommandError(f"no user with e-mail {email}")
        keys = CloudKey.objects.of_owner(owner)
        if action == "list":
            for key in keys:
                state = f"locked since {key.locked_at:%Y-%m-%d %H:%M}" if key.locked_at else "usable"
                self.stdout.write(
                    f"{key.pk}\t{key.label}\t{key.algorithm}\t{key.backend}\t"
                    f"wrong PINs: {key.failed_attempts}\t{state}"
                )
            return
        if not by:
            raise CommandError("unlocking is audited: name the operator with --by EMAIL")
        actor = User.objects.filter(email__iexact=by).first()
        if actor is None:
            raise CommandError(f"no user with e-mail {by}")
        unlocked = 0
        for key in keys.filter(failed_attempts__gt=0):
            try:
                key_unlock(key=key, actor=actor)
            except UzartError as error:
                raise CommandError(str(error)) from None
            unlocked += 1
        self.stdout.write(f"unlocked {unlocked} key(s) of {owner.email}")
