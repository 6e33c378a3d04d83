from typing import Any

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "uzart.web"
    label = "web"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        user_login_failed.connect(_audit_password_failure, dispatch_uid="uzart-login-failed")


def _audit_password_failure(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    """Record a failed password login by the e-mail tried (never the password)."""
    from uzart.audit.services import audit_record

    audit_record(
        actor=None, action="login.failure", data={"email": str(credentials.get("username", ""))[:254]}
    )
