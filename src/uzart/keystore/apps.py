from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KeystoreConfig(AppConfig):
    name = "uzart.keystore"
    label = "keystore"
    verbose_name = _("Cloud keystore")

    def ready(self) -> None:
        from uzart.keystore import backends, checks  # noqa: F401 - signal receiver and system checks
