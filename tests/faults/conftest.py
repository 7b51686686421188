"""The fault matrix runs on the integration suite's sandbox app and the API suite's stand-in."""

from tests.api.conftest import printed, token, token_search, world
from tests.integration.conftest import clean_faults, shop, shop_cli, trusted_sandbox

__all__ = ["clean_faults", "printed", "shop", "shop_cli", "token", "token_search", "trusted_sandbox",
           "world"]
