import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The token endpoint's rate limit lives in the cache; every test starts with none used."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
