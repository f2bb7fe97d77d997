"""API authentication: bearer tokens for partner systems, the session for our own pages."""

from __future__ import annotations

from rest_framework import authentication


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser session, with CSRF enforced as DRF does."""


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Placeholder: the token model and checks are built with the login security work."""

    keyword = "Bearer"

    def authenticate(self, request):
        return None

    def authenticate_header(self, request):
        return self.keyword
