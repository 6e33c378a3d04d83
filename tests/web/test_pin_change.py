"""A holder changes the PIN of the EDS in use; the old PIN is required and bad input changes nothing."""

from __future__ import annotations

import pytest

from tests.pki.conftest import HOLDER_PIN
from uzart.keystore.models import CloudKey
from uzart.keystore.services import key_verify_pin

pytestmark = pytest.mark.django_db


def _post(client, old, new, again=None):
    return client.post(
        "/me/pin/", {"old_pin": old, "new_pin": new, "new_pin_again": new if again is None else again}
    )


def test_holder_changes_the_pin_with_the_old_one(client, aigul, enrol):
    certificate = enrol(aigul)
    client.force_login(aigul)
    client.cookies["uzart_language"] = "en"
    assert client.get("/me/").content.decode().count('href="/me/pin/"') == 1
    response = _post(client, HOLDER_PIN, "97531086")
    assert response.status_code == 302
    key_verify_pin(key=CloudKey.objects.get(pk=certificate.key_id), pin="97531086")


@pytest.mark.parametrize(
    ("old", "new", "again", "message"),
    [
        ("000000", "97531086", None, "Wrong PIN"),
        (HOLDER_PIN, "12ab", None, "The PIN must consist of 6 to 12 digits"),
        (HOLDER_PIN, "97531086", "97531087", "The two new PINs differ."),
    ],
    ids=["wrong-old-pin", "bad-new-pin", "mismatch"],
)
def test_bad_input_is_refused_with_a_message_and_the_pin_stays(
    client, aigul, enrol, old, new, again, message
):
    certificate = enrol(aigul)
    client.force_login(aigul)
    client.cookies["uzart_language"] = "en"
    response = _post(client, old, new, again)
    assert response.status_code == 400
    assert message in response.content.decode()
    key_verify_pin(key=CloudKey.objects.get(pk=certificate.key_id), pin=HOLDER_PIN)


def test_without_a_cloud_eds_there_is_nothing_to_change(client, aigul):
    client.force_login(aigul)
    client.cookies["uzart_language"] = "en"
    response = client.get("/me/pin/")
    assert response.status_code == 404
    assert "no EDS in the cloud" in response.content.decode()
