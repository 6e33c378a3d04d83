"""Settings for the test suite: the production module in test mode."""

import os

os.environ["UZART_MODE"] = "test"

from uzart.settings import *  # noqa: F403
