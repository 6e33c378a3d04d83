"""URLs mounted at /api/v1/: the token page, then the REST API (with /openapi.json and /docs)."""

from django.urls import path

from uzart.api import views
from uzart.api.rest import api

urlpatterns = [
    path("tokens/manage/", views.tokens, name="api_tokens"),
    path("tokens/manage/<int:token_id>/revoke/", views.token_revoke, name="api_token_revoke"),
    path("", api.urls),
]
