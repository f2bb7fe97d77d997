"""The pages of building plans, as their users go through them: the coordinator copies plan
64 into the next plan and publishes it; a commune's reporter builds its local plan and the
commune's leader approves it; everyone sees which communes have one."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from antoan.programme.choices import PlanStatus
from antoan.programme.models import BudgetLine, Plan
from antoan.programme.services import plan_build as pb

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def published(cast, plan64):
    plan = pb.plan_create(
        actor=cast["coordinator1"],
        copy_from=plan64,
        number="12/KH-UBND",
        title="Kế hoạch giai đoạn 2026-2030",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2030, 12, 31),
    )
    return pb.plan_publish(actor=cast["coordinator1"], plan=plan, version=plan.version)


def test_coordinator_copies_and_publishes_the_next_plan(cast, plan64, client_for):
    client = client_for(cast["coordinator1"])
    page = client.get(f"/programme/plans/{plan64.pk}/")
    assert "Lập kế hoạch giai đoạn tiếp theo" in _text(page)
    form = client.get(f"/programme/plans/new/?copy_from={plan64.pk}")
    assert form.status_code == 200
    assert 'value="01/01/2026"' in _text(form)  # the day after plan 64 ended
    response = client.post(
        "/programme/plans/new/",
        {
            "number": "12/KH-UBND",
            "title": "Kế hoạch giai đoạn 2026-2030",
            "issued_on": "15/01/2026",
            "period_start": "01/01/2026",
            "period_end": "31/12/2030",
            "copy_from": plan64.pk,
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get(number="12/KH-UBND")
    assert plan.status == PlanStatus.DRAFT
    page = client.get(f"/programme/plans/{plan.pk}/")
    assert "Dự thảo" in _text(page) and "Ban hành kế hoạch" in _text(page)
    # A reporter does not see the draft.
    assert client_for(cast["reporter1"]).get(f"/programme/plans/{plan.pk}/").status_code == 404
    client = client_for(cast["coordinator1"])
    response = client.post(
        f"/programme/plans/{plan.pk}/publish/", {"version": plan.version}, follow=True
    )
    assert "Đã ban hành kế hoạch 12/KH-UBND" in _text(response)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    # The programme's home now opens the plan in force today (2026).
    assert client.get("/programme/").url == f"/programme/plans/{plan.pk}/"


def test_bad_period_is_refused_and_nothing_saved(cast, plan64, client_for):
    client = client_for(cast["coordinator1"])
    response = client.post(
        "/programme/plans/new/",
        {
            "number": "12/KH-UBND",
            "title": "x",
            "issued_on": "15/01/2026",
            "period_start": "01/01/2031",
            "period_end": "31/12/2026",
            "copy_from": plan64.pk,
        },
    )
    assert response.status_code == 400
    assert "Ngày kết thúc trước ngày bắt đầu" in _text(response)
    assert not Plan.objects.filter(number="12/KH-UBND").exists()


def test_reporter_may_not_build_a_provincial_plan(cast, plan64, client_for):
    client = client_for(cast["reporter1"])
    assert client.get(f"/programme/plans/new/?copy_from={plan64.pk}").status_code == 403


def test_local_plan_through_the_pages(cast, published, client_for):
    reporter = client_for(cast["reporter1"])
    page = reporter.get(f"/programme/plans/{published.pk}/")
    assert "Lập kế hoạch của xã, phường" in _text(page)
    response = reporter.post(
        f"/programme/plans/new/?parent={published.pk}",
        {
            "parent": published.pk,
            "agency": cast["reporter1"].memberships.first().agency_id,
            "number": "05/KH-UBND",
            "title": "Kế hoạch năm 2026 của phường Phố Hiến",
            "issued_on": "10/01/2026",
            "period_start": "01/01/2026",
            "period_end": "31/12/2026",
        },
    )
    assert response.status_code == 302, _text(response)
    local = Plan.objects.get(number="05/KH-UBND")
    provincial = published.tasks.get(code="II.2.a")
    # A local task with neither a provincial task nor a parent: refused, nothing saved.
    bad = reporter.post(
        f"/programme/plans/{local.pk}/tasks/new/",
        {"title": "Việc tự đặt", "version": local.version},
    )
    assert bad.status_code == 400
    assert "phải thực hiện một nhiệm vụ của kế hoạch tỉnh" in _text(bad)
    assert not local.tasks.exists()
    ok = reporter.post(
        f"/programme/plans/{local.pk}/tasks/new/",
        {"carries": provincial.pk, "version": local.version},
    )
    assert ok.status_code == 302
    local.refresh_from_db()
    # A budget that does not add up: the message names both sums; nothing saved.
    bad = reporter.post(
        f"/programme/plans/{local.pk}/budget/",
        {
            "version": local.version,
            "total": "30.000.000",
            "y2026_commune_budget": "20.000.000",
        },
    )
    assert bad.status_code == 400
    assert "20.000.000" in _text(bad) and "30.000.000" in _text(bad)
    assert not BudgetLine.objects.filter(plan=local).exists()
    ok = reporter.post(
        f"/programme/plans/{local.pk}/budget/",
        {
            "version": local.version,
            "total": "30.000.000",
            "y2026_commune_budget": "20.000.000",
            "y2026_provincial_budget": "10.000.000",
        },
    )
    assert ok.status_code == 302
    local.refresh_from_db()
    response = reporter.post(
        f"/programme/plans/{local.pk}/submit/", {"version": local.version}, follow=True
    )
    assert "Đã trình kế hoạch 05/KH-UBND" in _text(response)
    local.refresh_from_db()
    # The reporter cannot approve their own plan; the commune's leader can.
    refused = reporter.post(f"/programme/plans/{local.pk}/publish/", {"version": local.version})
    assert refused.status_code == 403
    leader = client_for(cast["leader1"])
    page = leader.get(f"/programme/plans/{local.pk}/")
    assert "Phê duyệt kế hoạch" in _text(page)
    leader.post(f"/programme/plans/{local.pk}/publish/", {"version": local.version})
    local.refresh_from_db()
    assert local.status == PlanStatus.PUBLISHED
    # The coverage page now shows the commune's approved plan.
    coverage = client_for(cast["analyst1"]).get(
        f"/programme/plans/{published.pk}/coverage/?year=2026"
    )
    assert coverage.status_code == 200
    assert "05/KH-UBND" in _text(coverage) and "Phố Hiến" in _text(coverage)


def test_other_commune_cannot_open_a_draft(cast, agencies, published, client_for):
    from antoan.programme.tests.builders import make_reporter

    local = pb.plan_create(
        actor=cast["reporter1"],
        parent=published,
        number="05/KH-UBND",
        title="x",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    other = make_reporter("reporter_x", agencies["ubnd-tran-hung-dao"])
    client = client_for(other)
    assert client.get(f"/programme/plans/{local.pk}/").status_code == 404
    assert client.post(f"/programme/plans/{local.pk}/submit/", {"version": 1}).status_code == 404
    assert client.get(f"/programme/plans/{local.pk}/budget/").status_code == 404


def test_plan_file_download(cast, published, client_for):
    response = client_for(cast["analyst1"]).get(f"/programme/plans/{published.pk}/plan.yaml")
    assert response.status_code == 200
    data = yaml.safe_load(response.content.decode())
    assert data["plan"]["number"] == "12/KH-UBND"
    assert any(t["code"] == "II.2.a" for t in data["tasks"])


def test_a_stale_edit_is_refused_and_what_was_typed_stays(cast, plan64, client_for):
    from django.conf import settings

    draft = pb.plan_create(
        actor=cast["coordinator1"],
        copy_from=plan64,
        number="12/KH-UBND",
        title="Bản đầu",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2030, 12, 31),
    )
    seen = draft.version
    pb.plan_update(
        actor=cast["coordinator1"],
        plan=draft,
        version=seen,
        number="12/KH-UBND",
        title="Bản của người khác",
        issued_on=draft.issued_on,
        period_start=draft.period_start,
        period_end=draft.period_end,
    )
    client = client_for(cast["coordinator1"])
    form = {
        "number": "12/KH-UBND",
        "title": "Bản của tôi",
        "issued_on": "15/01/2026",
        "period_start": "01/01/2026",
        "period_end": "31/12/2030",
        "version": seen,
    }
    # Whatever the language of the page, a stale version is a conflict.
    for language, said in (("vi", "Người khác vừa thay đổi"), ("en", "Someone else has just")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.post(f"/programme/plans/{draft.pk}/edit/", form)
        assert response.status_code == 409
        assert said in _text(response)
        assert "Bản của tôi" in _text(response)
    draft.refresh_from_db()
    assert draft.title == "Bản của người khác"


def test_coverage_page_links_a_draft_only_for_its_builders(cast, published, client_for):
    draft = pb.plan_create(
        actor=cast["reporter1"],
        parent=published,
        number="05/KH-UBND",
        title="Năm 2026",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    url = f"/programme/plans/{published.pk}/coverage/?year=2026"
    link = f'href="/programme/plans/{draft.pk}/"'
    analyst = _text(client_for(cast["analyst1"]).get(url))
    assert "05/KH-UBND" in analyst and link not in analyst
    assert link in _text(client_for(cast["reporter1"]).get(url))
