from tests.pki.conftest import HOLDER_PIN, aigul, company, enrol  # noqa: F401
from tests.renewals.conftest import ca, tariffs, world  # noqa: F401  (a CA made two years ago serves both)
