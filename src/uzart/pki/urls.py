"""Public PKI endpoints, mounted at /pki/."""

from django.urls import path

from uzart.pki import views

app_name = "pki"

urlpatterns = [
    path("ca.pem", views.ca_chain, name="ca_chain"),
    path("ca/<slug:name>.crt", views.ca_certificate, name="ca_certificate"),
    path("crl/<slug:name>.crl", views.crl, name="crl"),
    path("ocsp/", views.ocsp, name="ocsp"),
    path("ocsp/<path:encoded>", views.ocsp, name="ocsp_get"),
]
