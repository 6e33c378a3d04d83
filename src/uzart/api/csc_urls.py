"""URLs of the cloud-signing API, mounted at /csc/v1/ (CSC API v1.0.4.0 method names)."""

from django.urls import path

from uzart.api import csc

urlpatterns = [
    path("info", csc.info, name="csc_info"),
    path("credentials/list", csc.credentials_list, name="csc_credentials_list"),
    path("credentials/info", csc.credentials_info, name="csc_credentials_info"),
    path("credentials/authorize", csc.credentials_authorize, name="csc_credentials_authorize"),
    path("signatures/signHash", csc.signatures_sign_hash, name="csc_signatures_sign_hash"),
]
