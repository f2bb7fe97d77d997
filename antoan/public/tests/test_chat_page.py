"""The help page's web chat page: the chat when someone staffs it, else the 24/7 numbers; no
cookie, no login, and the page stores nothing in the browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from antoan.hotline import choices as h
from antoan.hotline.services import contacts
from antoan.referrals.demo import build_demo_providers

URL = "/tim-ho-tro/tro-chuyen/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(cast, settings):
    build_demo_providers()
    settings.ANTOAN_CHAT_HOTLINE = "ctxh-tinh"
    return cast


def test_the_help_page_leads_to_the_chat(directory):
    html = Client().get("/tim-ho-tro/").content.decode()
    assert f'href="{URL}"' in html and "Trò chuyện với tư vấn viên" in html


def test_outside_staffed_hours_the_page_shows_the_numbers_not_the_chat(directory):
    response = Client().get(URL)
    assert response.status_code == 200
    assert not response.cookies
    html = response.content.decode()
    assert 'data-testid="chat-closed"' in html
    assert "data-chat-visitor" not in html
    assert 'href="tel:18001567"' in html


def test_a_staffed_hotline_offers_the_chat(directory):
    contacts.presence_set(actor=directory["hotline1"], state=h.Presence.AVAILABLE)
    response = Client().get(URL)
    assert response.status_code == 200
    assert not response.cookies
    assert response["Referrer-Policy"] == "no-referrer"
    html = response.content.decode()
    assert "data-chat-visitor" in html and 'data-testid="chat-start"' in html
    assert "data-quick-exit" in html
    assert "csrfmiddlewaretoken" not in html


def test_the_visitor_script_keeps_nothing_in_the_browser():
    script = (Path(django_settings.BASE_DIR) / "static" / "js" / "chat-visitor.js").read_text()
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", script, flags=re.DOTALL)
    for storage in ("localStorage", "sessionStorage", "document.cookie", "indexedDB"):
        assert storage not in code
    assert "keepalive: true" in code and "pagehide" in code
