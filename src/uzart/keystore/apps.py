from django.apps import AppConfig


class KeystoreConfig(AppConfig):
    name = "uzart.keystore"
    label = "keystore"
