"""Signal receivers of login security, connected in ``AccountsConfig.ready``."""

from __future__ import annotations

from antoan.accounts import services


def stamp_session_times(sender, request, user, **kwargs) -> None:
    """Record when a session was authenticated, for the idle and absolute limits.

    Every way of logging in (our login view, the admin's, the test client's ``force_login``)
    goes through ``django.contrib.auth.login``, which sends ``user_logged_in``.
    """
    session = getattr(request, "session", None)
    if session is None:
        return
    moment = int(services.now().timestamp())
    session[services.SESSION_LOGIN_AT] = moment
    session[services.SESSION_SEEN_AT] = moment
