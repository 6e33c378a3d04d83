"""Values every page needs: the operator's contacts and the language list."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from uzart.accounts.selectors import operator_profile_get


def uzart(request: HttpRequest) -> dict[str, Any]:
    return {"operator": operator_profile_get()}
