"""Random tokens kept in the cache, to name a *version* of something cached under them.

Cached values are keyed with the token of what they were computed from (a dashboard scope's
generation, a user's notifications); replacing the token orphans every value keyed with the old
one, which then expires with its timeout. A token the cache dropped (eviction, restart) comes
back as a new one, never as an old one, so losing it can only cost a recomputation, never serve
a stale value. Used by the dashboards' figures (antoan/indicators/figure_cache.py) and the
menu's unread count (antoan/referrals/unread.py).
"""

from __future__ import annotations

import uuid

from django.core.cache import cache


def token(key: str) -> str:
    """The token kept under ``key``, made on first use; it never expires."""
    found = cache.get(key)
    if found is None:
        cache.add(key, uuid.uuid4().hex, None)
        found = cache.get(key) or uuid.uuid4().hex
    return found


def replace(*keys: str) -> None:
    """New tokens under ``keys``: what was cached with the old ones is not served again."""
    cache.set_many({key: uuid.uuid4().hex for key in keys}, None)
