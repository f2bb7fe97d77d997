"""The number of unread notifications that every page's menu shows, kept in the cache.

Every signed-in page draws the badge, and counting was a query on every view: about 1.5 ms of
CPU, where an average page of the load test costs about 19 ms (docs/performance.md).

Each user's count is kept under a *version* of that user's notifications. Creating
notifications or marking them read replaces the version at once and again when the transaction
commits, so the next page counts again. A count another request reads while the change commits
is kept under the version replaced at commit, which nobody asks for any more: it can never hide
the new notification.

Counts also expire after ``SECONDS``. That bounds what a change not made through
:func:`changed` can leave behind: notifications deleted with their referral or user (erasure),
or a change made by another process when the cache is not shared (the local-memory cache of
``make run`` and its task worker; production shares Redis, docs/deployment.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction

from antoan.core import cache_tokens

PREFIX = "antoan:referrals:unread"
SECONDS = 60


def _version_key(user_id: int) -> str:
    return f"{PREFIX}:version:{user_id}"


def count(user_id: int, compute: Callable[[], int]) -> int:
    """``compute()`` (the user's unread count) from the cache, or computed now and kept."""
    key = f"{PREFIX}:{user_id}:{cache_tokens.token(_version_key(user_id))}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, SECONDS)
    return found


def changed(user_ids: Iterable[int]) -> None:
    """The users' notifications changed in the current transaction: their next page counts."""
    ids = set(user_ids)

    def forget() -> None:
        cache_tokens.replace(*(_version_key(pk) for pk in ids))

    if ids:
        # Now, for this transaction's own next read; and again once committed, so a count
        # another request read in between (still without the change) is not the one kept.
        forget()
        transaction.on_commit(forget)
