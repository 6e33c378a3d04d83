from tests.pki.conftest import HOLDER_PIN, aigul, ca, company, enrol  # noqa: F401
