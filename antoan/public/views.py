"""The public "Tìm hỗ trợ" page: no login, no cookie, nothing recorded about the visit.

The page reads only the public part of the service directory and the map (``selectors``). It
renders its own light template (``public/base.html``): no session, no CSRF token, no form
that posts, so no response of it sets a cookie, and nothing on it loads from elsewhere.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

from antoan.core.permissions import public
from antoan.public import selectors

# A commune's name is short; anything longer is not a name and is not searched.
MAX_QUERY = 100


def no_referrer(response):
    """Leaving for a provider's site or the quick-exit site tells them nothing of this page."""
    response["Referrer-Policy"] = "no-referrer"
    return response


@public
@require_GET
def help_page(request):
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    code = request.GET.get("xa", "").strip()
    commune = selectors.commune_get(code) if code else None
    choices = [] if commune is not None else selectors.commune_search(q)
    if commune is None and len(choices) == 1 and not choices[0].former_name:
        commune = selectors.commune_get(choices[0].code)
        choices = []
    context = {
        "quick_exit_url": settings.ANTOAN_QUICK_EXIT_URL,
        "hotlines": selectors.public_hotlines(),
        "q": q,
        "searched": bool(q) and commune is None,
        "too_short": bool(q) and len(q) < selectors.MIN_QUERY_LENGTH,
        "unknown_commune": bool(code) and commune is None,
        "choices": choices,
        "commune": commune,
        "services": selectors.services_near(commune) if commune is not None else [],
    }
    return no_referrer(render(request, "public/help.html", context))


@public
@require_GET
def chat_page(request):
    """ "Trò chuyện với tư vấn viên": the anonymous web chat, or the 24/7 numbers when nobody
    staffs it (docs/hotline.md "Web chat"). The page itself holds no chat: its script opens one
    when the visitor asks (POST /api/v1/hotline/chats) and keeps the token in memory only."""
    from antoan.hotline import webchat
    from antoan.hotline.services.contacts import MESSAGE_MAX, staffed

    agency = webchat.chat_hotline()
    context = {
        "quick_exit_url": settings.ANTOAN_QUICK_EXIT_URL,
        "hotlines": selectors.public_hotlines(),
        "staffed": agency is not None and staffed(agency),
        "message_max": MESSAGE_MAX,
    }
    return no_referrer(render(request, "public/chat.html", context))
