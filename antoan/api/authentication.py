"""API authentication: bearer tokens for partner systems, the session for our own pages."""

from __future__ import annotations

import datetime as dt
import re

from rest_framework import authentication, exceptions

from antoan.accounts import services
from antoan.accounts.models import ApiToken

# Tokens are secrets.token_urlsafe output; anything else in the header is refused unread.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,200}")
MAX_HEADER_LENGTH = 200
# Recording every use would be a write per request; the security page shows minutes anyway.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser session, with CSRF enforced as DRF does."""


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>`` with a token from ``POST /api/v1/auth/token``.

    A header that is present but not a well-formed bearer token is refused (401), not passed
    on to the next authentication class: a client that sent credentials must learn they failed.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION")
        if not header:
            return None
        raw = self._parse(header)
        token = (
            ApiToken.objects.select_related("user")
            .filter(digest=services.api_token_digest(raw))
            .first()
        )
        moment = services.now()
        if (
            token is None
            or token.revoked_at is not None
            or token.expires_at <= moment
            or not token.user.is_active
            or token.security_stamp != token.user.security_stamp
        ):
            raise exceptions.AuthenticationFailed()
        if token.last_used_at is None or moment - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)
            token.last_used_at = moment
        return token.user, token

    def _parse(self, header: str) -> str:
        if len(header) > MAX_HEADER_LENGTH or not header.isascii():
            raise exceptions.AuthenticationFailed()
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != self.keyword.lower() or not _TOKEN.fullmatch(raw):
            raise exceptions.AuthenticationFailed()
        return raw

    def authenticate_header(self, request):
        return self.keyword
