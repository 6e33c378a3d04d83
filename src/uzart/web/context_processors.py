"""Values every page needs: the operator's contacts and, for holders, the renewal offer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from uzart.accounts.selectors import operator_profile_get


def uzart(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"operator": operator_profile_get()}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and not user.is_operator:
        from uzart.renewals.selectors import renewal_offer_for

        context["renewal_offer"] = renewal_offer_for(user=user)
    return context
