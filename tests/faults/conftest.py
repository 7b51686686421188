"""The fault matrix runs on the integration suite's sandbox app and the API suite's stand-in."""

from tests.api.conftest import printed, token, token_search, world
from tests.integration.conftest import shop, shop_cli

__all__ = ["printed", "shop", "shop_cli", "token", "token_search", "world"]
