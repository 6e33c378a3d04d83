"""Root URL configuration."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("pki/", include("uzart.pki.urls")),
    path("billing/", include("uzart.billing.urls")),
    path("api/v1/", include("uzart.api.urls")),
    path("csc/v1/", include("uzart.api.csc_urls")),
    path("", include("uzart.renewals.urls")),
    path("", include("uzart.reminders.urls")),
    path("", include("uzart.web.urls")),
]
