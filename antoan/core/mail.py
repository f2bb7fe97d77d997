"""Email after commit: the record is saved whatever the mail server does."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.mail import send_mail
from django.db import transaction

logger = logging.getLogger(__name__)


def send_after_commit(messages: Sequence[tuple[str, str, Sequence[str]]], *, what: str) -> None:
    """Send ``(subject, body, addresses)`` once the transaction commits.

    The in-app record (notice, task, request) is already saved; a mail failure must not undo
    it, but it is logged, without addresses, so operations can see mail is down.
    """
    pending = [(subject, body, list(to)) for subject, body, to in messages if to]
    if not pending:
        return

    def send() -> None:
        for subject, body, addresses in pending:
            try:
                send_mail(subject, body, None, addresses)
            except Exception:
                logger.exception("%s email failed", what)

    transaction.on_commit(send)
