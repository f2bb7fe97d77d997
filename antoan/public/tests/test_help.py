"""The public "Tìm hỗ trợ" page: open to anyone, no cookie, the public directory only."""

from __future__ import annotations

import datetime as dt
import gzip
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from antoan.accounts.models import Agency
from antoan.places.models import Place, PlaceSuccession
from antoan.referrals.demo import build_demo_providers
from antoan.referrals.models import Provider
from antoan.referrals.services import provider_save

URL = "/tim-ho-tro/"
BUDGET_BYTES = 200 * 1024
pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(cast, mini_places):
    """The demo directory, with a confidential provider and a provider that offers shelter in
    Phố Hiến besides the demo's trusted address there (dctc-pho-hien, a shelter)."""
    build_demo_providers()
    commune_a = mini_places["commune_a"]
    secret = Agency.objects.create(
        code="tu-van-kin",
        name="Nhóm tư vấn Kín Đáo",
        kind=Agency.Kind.OTHER,
        place=commune_a,
    )
    provider_save(
        agency=secret,
        services=["psychosocial"],
        communes=[commune_a],
        address="Ngõ Bí Mật số 9",
        emergency_phone="0912 777 111",
        confidential=True,
    )
    refuge = Agency.objects.create(
        code="bao-tro-xa-hoi",
        name="Trung tâm Bảo trợ Hoa Sen",
        kind=Agency.Kind.SOCIAL_ASSISTANCE,
        place=commune_a,
    )
    provider_save(
        agency=refuge,
        services=["shelter", "social_assistance"],
        communes=[commune_a],
        address="Đường Hoa Sen số 3",
        emergency_phone="0912 777 222",
    )
    return mini_places


def anonymous_get(path: str, **params):
    response = Client().get(path, params)
    assert response.status_code == 200
    return response, response.content.decode()


def assert_no_cookie(response) -> None:
    assert "Set-Cookie" not in response.headers
    assert not response.cookies


def test_anyone_reads_the_hotline_and_what_to_do_in_danger_without_a_cookie(directory):
    response, html = anonymous_get(URL)
    assert_no_cookie(response)
    assert 'href="tel:113"' in html
    assert "Nếu bạn đang gặp nguy hiểm" in html
    # The provincial hotline (ctxh-tinh has the hotline operator): its directory number.
    assert 'href="tel:18001567"' in html
    assert "1800 1567" in html
    assert "Trực 24 giờ" in html
    # Children: the national child protection line.
    assert 'href="tel:111"' in html


def test_the_page_sends_no_referrer_and_loads_nothing_from_elsewhere(directory):
    response, html = anonymous_get(URL, q="pho hien")
    assert response["Referrer-Policy"] == "no-referrer"
    assert '<meta name="referrer" content="no-referrer">' in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    for url in re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', html):
        assert url.startswith("/static/"), url
    assert "<script>" not in html and " style=" not in html


def test_a_search_without_accents_finds_the_commune_and_its_services(directory):
    response, html = anonymous_get(URL, q="pho hien")
    assert_no_cookie(response)
    assert 'data-testid="commune"' in html
    assert "Phường Phố Hiến, Tỉnh Hưng Yên" in html
    services = html.split('data-testid="services"')[1]
    assert "Trạm Y tế phường Phố Hiến" in services
    assert "Ủy ban nhân dân phường Phố Hiến" in services
    assert "Bệnh viện Đa khoa tỉnh Hưng Yên" in services
    assert "Y tế · Tâm lý xã hội" in services
    assert 'href="tel:02213862200"' in services
    assert "Thứ Hai – Chủ nhật, 7:00–17:00" in services
    # Another commune's station does not serve Phố Hiến.
    assert "Trạm Y tế phường Trần Hưng Đạo" not in services


def test_a_name_matching_several_communes_offers_a_choice_that_works_without_javascript(
    directory,
):
    response, html = anonymous_get(URL, q="Phuong")
    assert_no_cookie(response)
    choices = html.split('data-testid="commune-choices"')[1].split("</ul>")[0]
    assert "Phường Phố Hiến" in choices and "Phường Trần Hưng Đạo" in choices
    assert f'href="{URL}?xa=12452#near"' in choices
    assert 'data-testid="services"' not in html

    response, html = anonymous_get(URL, xa="12452")
    assert_no_cookie(response)
    assert "Phường Trần Hưng Đạo, Tỉnh Hưng Yên" in html
    assert "Trạm Y tế phường Trần Hưng Đạo" in html.split('data-testid="services"')[1]


def test_a_commune_not_found_says_so(directory):
    _, html = anonymous_get(URL, q="Không Có Xã Này")
    assert "Không có xã, phường nào tên" in html
    _, html = anonymous_get(URL, xa="99999")
    assert "Không tìm thấy xã, phường này" in html
    _, html = anonymous_get(URL, q="x")
    assert "ít nhất 2 chữ cái" in html


def test_the_former_name_of_a_merged_commune_leads_to_the_commune_of_today(directory):
    old = Place(
        code="11950",
        name="Phường Lam Sơn",
        level="commune",
        parent=directory["old_province"],
        valid_to=dt.date(2025, 6, 30),
    )
    old.full_clean()
    old.save()
    PlaceSuccession.objects.create(
        predecessor=old, successor=directory["commune_a"], effective_on=dt.date(2025, 7, 1)
    )
    _, html = anonymous_get(URL, q="lam son")
    choices = html.split('data-testid="commune-choices"')[1].split("</ul>")[0]
    assert f'href="{URL}?xa=11953#near"' in choices
    assert "Phường Phố Hiến" in choices
    assert "trước đây: Phường Lam Sơn" in choices


def test_a_provider_serving_the_whole_province_is_listed_for_its_communes(directory):
    agency = Agency.objects.create(
        code="hoi-phu-nu-tinh",
        name="Hội Liên hiệp Phụ nữ tỉnh Hưng Yên",
        kind=Agency.Kind.WOMENS_UNION,
        place=directory["province"],
    )
    provider_save(
        agency=agency,
        services=["psychosocial", "legal"],
        communes=[directory["province"]],
        emergency_phone="0221 3550 111",
    )
    _, html = anonymous_get(URL, xa="12452")
    assert "Hội Liên hiệp Phụ nữ tỉnh Hưng Yên" in html.split('data-testid="services"')[1]


HIDDEN = [
    # The confidential provider.
    "Nhóm tư vấn Kín Đáo",
    "0912 777 111",
    "09127771",
    "Ngõ Bí Mật",
    # A provider offering shelter: its address may be the shelter's.
    "Trung tâm Bảo trợ Hoa Sen",
    "0912 777 222",
    "Đường Hoa Sen",
    # The demo's trusted address in Phố Hiến (a shelter), its number and secret location.
    "Địa chỉ tin cậy phường Phố Hiến",
    "0912 002 468",
    "0912002468",
    "Nhà văn hóa tổ dân phố 5",
    # Staff contacts of the directory are never published.
    "0912 005 200",
]


@pytest.mark.parametrize("params", [{}, {"q": "pho hien"}, {"xa": "11953"}, {"q": "Phuong"}])
def test_confidential_providers_and_shelters_never_reach_the_page(directory, params):
    _, html = anonymous_get(URL, **params)
    for text in HIDDEN:
        assert text not in html, text


def test_a_confidential_hotline_agency_is_not_shown_even_when_configured(directory, settings):
    settings.ANTOAN_PUBLIC_HOTLINE_AGENCIES = ["tu-van-kin", "dctc-pho-hien", "ctxh-tinh"]
    _, html = anonymous_get(URL)
    hotlines = html.split('data-testid="hotlines"')[1].split("</section>")[0]
    assert "1800 1567" in hotlines
    for text in HIDDEN:
        assert text not in hotlines, text


def test_an_inactive_or_shelter_provider_is_not_listed(directory):
    Provider.objects.filter(agency__code="tyt-pho-hien").update(active=False)
    _, html = anonymous_get(URL, xa="11953")
    assert "Trạm Y tế phường Phố Hiến" not in html


def test_the_page_reads_the_directory_only_and_records_nothing(directory, cast):
    from antoan.core.models import AuditEvent

    audit_before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        anonymous_get(URL, q="pho hien")
        anonymous_get(URL, xa="11953")
    touched = " ".join(q["sql"] for q in queries.captured_queries)
    for table in ("cases_", "hotline_call", "health_", "privacy_", "referrals_referral"):
        assert table not in touched, table
    assert "INSERT" not in touched and "UPDATE" not in touched
    assert AuditEvent.objects.count() == audit_before


def test_a_signed_in_visitor_gets_the_same_page(directory, cast, client):
    _, anonymous = anonymous_get(URL, xa="11953")
    client.force_login(cast["worker1"])
    signed_in = client.get(URL, {"xa": "11953"}).content.decode()
    assert signed_in == anonymous


def test_the_page_takes_a_bounded_number_of_queries(directory, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        anonymous_get(URL, xa="11953")


def test_the_page_does_not_take_posts(directory):
    response = Client().post(URL, {"q": "pho hien"})
    assert response.status_code == 405
    assert_no_cookie(response)


def test_quick_exit_goes_to_the_configured_neutral_site(directory, settings):
    _, html = anonymous_get(URL)
    assert re.search(r'<a[^>]+href="https://nchmf.gov.vn/"[^>]+data-quick-exit', html)
    assert "/static/js/quick-exit.js" in html
    settings.ANTOAN_QUICK_EXIT_URL = "https://thoitiet.example/"
    _, html = anonymous_get(URL)
    assert re.search(r'<a[^>]+href="https://thoitiet.example/"[^>]+data-quick-exit', html)


def test_the_login_page_offers_quick_exit_and_the_way_to_help(db):
    response = Client().get("/accounts/login/")
    html = response.content.decode()
    assert re.search(r'<a[^>]+href="https://nchmf.gov.vn/"[^>]+data-quick-exit', html)
    assert "/static/js/quick-exit.js" in html
    assert f'href="{URL}"' in html and "Tìm hỗ trợ" in html


# --- Weight: what a slow phone must download ---------------------------------------------------


def _assets(html: str) -> list[Path]:
    paths = []
    for url in re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(/static/[^"]+)"', html):
        found = finders.find(url.removeprefix("/static/"))
        assert found, url
        paths.append(Path(found))
    return paths


@pytest.mark.parametrize("params", [{}, {"q": "Phuong"}, {"xa": "11953"}])
def test_every_public_page_weighs_less_than_200_kb_with_its_files(directory, params):
    response, html = anonymous_get(URL, **params)
    assets = _assets(html)
    assert {p.name for p in assets} >= {"public.css", "quick-exit.js"}
    total = len(response.content) + sum(p.stat().st_size for p in assets)
    assert total < BUDGET_BYTES, total


def test_the_login_page_weighs_less_than_200_kb_as_sent(db):
    # The login page carries the signed-in pages' Bootstrap and htmx: over 200 KB as files,
    # well under as production sends them (WhiteNoise, compressed).
    response = Client().get("/accounts/login/")
    html = response.content.decode()
    total = len(gzip.compress(response.content)) + sum(
        len(gzip.compress(p.read_bytes())) for p in _assets(html)
    )
    assert total < BUDGET_BYTES, total
