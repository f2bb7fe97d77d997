"""Checklists as data, assessments against them and model reviews (services and loader)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from antoan.programme import services
from antoan.programme.models import Assessment, Checklist, CommunityModel, ModelReview
from antoan.programme.standards_loader import StandardsFileError, load_standards
from antoan.programme.tests.builders import FULL_TRUSTED, TRUSTED_WEIGHTS, audit_events

pytestmark = pytest.mark.django_db

FOLDER = Path(__file__).resolve().parents[3] / "data" / "standards"


def copy_of(tmp_path: Path, name: str = "dia-chi-tin-cay.yaml") -> tuple[Path, dict]:
    path = tmp_path / name
    data = yaml.safe_load((FOLDER / name).read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path, data


# --- Loader --------------------------------------------------------------------------------------


def test_every_checklist_file_loads_with_its_criteria(plan64):
    result = load_standards(sorted(FOLDER.glob("*.yaml")))
    codes = {c.code for c in Checklist.objects.all()}
    assert codes == {"dia-chi-tin-cay", "nha-tam-lanh", "clb-nhom-cong-dong", "co-so-ho-tro-gbv"}
    assert len(result.created) == 4
    trusted = Checklist.objects.get(code="dia-chi-tin-cay")
    assert trusted.model_kinds == ["trusted_address"] and trusted.is_sample
    assert [b["label"] for b in trusted.bands] == ["Đạt chuẩn", "Đạt một phần", "Chưa đạt"]
    assert trusted.criteria.count() == len(TRUSTED_WEIGHTS)
    assert {c.code: int(c.weight) for c in trusted.criteria.all()} == TRUSTED_WEIGHTS


def test_loading_twice_changes_nothing(plan64):
    out = []
    for _ in range(2):
        call_command("load_standards", stdout=(buffer := io.StringIO()))
        out.append(buffer.getvalue())
    assert Checklist.objects.count() == 4
    assert "unchanged 4" in out[1] and "new none" in out[1]


def test_a_changed_weight_is_a_new_version_and_old_assessments_keep_theirs(
    tmp_path, trusted_address, assess, cast
):
    old = Checklist.objects.get(code="dia-chi-tin-cay")
    first = assess(trusted_address, FULL_TRUSTED)
    path, data = copy_of(tmp_path)
    data["checklist"]["criteria"][0]["weight"] = 5  # A1: 2 → 5
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    result = load_standards([path])

    assert result.created == ["dia-chi-tin-cay v2"]
    assert "stored as v2" in result.renumbered[0]  # the file still says version 1
    new = Checklist.objects.get(code="dia-chi-tin-cay", version=2)
    assert new.criteria.get(code="A1").weight == 5
    old.refresh_from_db()
    assert old.criteria.get(code="A1").weight == 2  # never rewritten
    first.refresh_from_db()
    assert (first.checklist_id, first.total_percent) == (old.pk, Decimal("100.0"))
    # Loading the changed file again changes nothing; new assessments use the new version.
    assert load_standards([path]).created == []
    with pytest.raises(ValidationError) as exc:
        assess(trusted_address, FULL_TRUSTED, checklist_obj=old)
    assert "phiên bản 1 không còn áp dụng" in exc.value.message_dict["checklist"][0]
    second = assess(trusted_address, {**FULL_TRUSTED, "A1": 0}, checklist_obj=new)
    # A1 (now weight 5 of 21) at 0: 16/21 of the marks.
    assert second.total_percent == Decimal("76.2")


def test_a_checklist_no_longer_in_the_folder_is_retired_not_deleted(tmp_path, plan64):
    load_standards(sorted(FOLDER.glob("*.yaml")))
    path, _ = copy_of(tmp_path)
    result = load_standards([path], retire_missing=True)
    assert set(result.deactivated) == {"nha-tam-lanh", "clb-nhom-cong-dong", "co-so-ho-tro-gbv"}
    assert Checklist.objects.count() == 4
    assert set(Checklist.objects.filter(active=True).values_list("code", flat=True)) == {
        "dia-chi-tin-cay"
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["applies_to"].update(model_kinds=["spaceship"]), "unknown model kind"),
        (lambda c: c["criteria"][0].update(max_score=0), "max_score must be 1 to 100"),
        (lambda c: c["criteria"][1].update(code="A1"), "criterion A1 twice"),
        (lambda c: c["bands"].pop(), "lowest band must start at 0"),
        (lambda c: c.pop("basis"), "missing basis"),
    ],
)
def test_a_malformed_file_loads_nothing(tmp_path, plan64, change, message):
    path, data = copy_of(tmp_path)
    change(data["checklist"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(StandardsFileError, match=message):
        load_standards([path])
    assert not Checklist.objects.exists()


# --- Scores, totals and bands --------------------------------------------------------------------


def weighted(scores: dict[str, int]) -> Decimal:
    """The rule, written out: Σ weight × score / 2 over Σ weight, in per cent."""
    earned = sum(Decimal(TRUSTED_WEIGHTS[c]) * Decimal(s) / 2 for c, s in scores.items())
    return (earned * 100 / sum(TRUSTED_WEIGHTS.values())).quantize(Decimal("0.1"))


@pytest.mark.parametrize(
    ("scores", "band"),
    [
        (FULL_TRUSTED, "Đạt chuẩn"),
        ({**FULL_TRUSTED, "A2": 0, "B2": 1}, "Đạt chuẩn"),  # 91.7
        (dict.fromkeys(TRUSTED_WEIGHTS, 1), "Đạt một phần"),  # exactly 50
        ({**dict.fromkeys(TRUSTED_WEIGHTS, 1), "A1": 0}, "Chưa đạt"),  # 44.4
    ],
)
def test_weighted_total_and_band(trusted_address, assess, scores, band):
    assessment = assess(trusted_address, scores)
    assert assessment.total_percent == weighted(scores)
    assert assessment.band_label == band
    assert [s.score for s in assessment.scores.order_by("criterion__position")] == list(
        scores.values()
    )


def test_a_draft_counts_unscored_criteria_as_zero_and_may_be_finished_later(
    trusted_address, assess, cast
):
    draft = assess(trusted_address, {"A1": 2, "A3": 2}, status="draft")
    assert draft.total_percent == weighted({"A1": 2, "A3": 2})
    final = services.assessment_save(
        actor=cast["coordinator1"],
        data=services.AssessmentInput(
            checklist=draft.checklist,
            assessed_on=draft.assessed_on,
            status="final",
            scores={c: services.ScoreInput(score=s) for c, s in FULL_TRUSTED.items()},
        ),
        instance=draft,
        version=draft.version,
    )
    assert (final.pk, final.version, final.total_percent) == (draft.pk, 2, Decimal("100.0"))
    with pytest.raises(ValidationError, match="đã hoàn thành"):
        services.assessment_save(
            actor=cast["coordinator1"],
            data=services.AssessmentInput(checklist=draft.checklist, assessed_on=draft.assessed_on),
            instance=final,
            version=final.version,
        )


def test_another_coordinators_concurrent_edit_is_refused(trusted_address, assess, cast):
    draft = assess(trusted_address, {"A1": 1}, status="draft")
    loaded = draft.version
    data = services.AssessmentInput(
        checklist=draft.checklist,
        assessed_on=draft.assessed_on,
        scores={"A1": services.ScoreInput(score=2)},
    )
    services.assessment_save(actor=cast["coordinator1"], data=data, instance=draft, version=loaded)
    with pytest.raises(services.AssessmentConflict):
        services.assessment_save(
            actor=cast["coordinator1"],
            data=services.AssessmentInput(
                checklist=draft.checklist,
                assessed_on=draft.assessed_on,
                scores={"A1": services.ScoreInput(score=0)},
            ),
            instance=draft,
            version=loaded,
        )
    assert draft.scores.get().score == 2


@pytest.mark.parametrize(
    ("scores", "status", "key", "message"),
    [
        ({"A1": 3}, "draft", "scores.A1", "phải từ 0 đến 2; đã nhập 3"),
        ({"A1": -1}, "draft", "scores.A1", "phải từ 0 đến 2"),
        ({k: v for k, v in FULL_TRUSTED.items() if k != "C4"}, "final", "scores.C4", "Hãy chấm"),
        ({"Z9": 1}, "draft", "scores", "không có tiêu chí: Z9"),
    ],
)
def test_bad_scores_are_refused_by_criterion_and_nothing_is_saved(
    trusted_address, assess, scores, status, key, message
):
    with pytest.raises(ValidationError) as exc:
        assess(trusted_address, scores, status=status)
    assert message in " ".join(exc.value.message_dict[key])
    assert not Assessment.objects.exists()


def test_a_checklist_for_another_kind_is_refused(trusted_address, assess, agencies):
    with pytest.raises(ValidationError) as exc:
        assess(trusted_address, {"A1": 5}, checklist="clb-nhom-cong-dong")
    assert exc.value.message_dict["checklist"] == [
        "Bộ tiêu chí “Tiêu chí mô hình câu lạc bộ, nhóm cộng đồng phòng ngừa bạo lực trên cơ sở "
        "giới” không áp dụng cho loại mô hình “Địa chỉ tin cậy - nhà tạm lánh tại cộng đồng”."
    ]
    hospital = agencies["bv-da-khoa-tinh"]
    with pytest.raises(ValidationError, match="không áp dụng cho loại cơ sở"):
        assess(hospital, {"A1": 1}, checklist="dia-chi-tin-cay")
    assert not Assessment.objects.exists()


def test_a_facility_is_assessed_and_exactly_one_subject_is_enforced(assess, agencies):
    centre = agencies["ctxh-tinh"]
    scores = dict.fromkeys(["A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3", "C4", "D1", "D2"], 2)
    done = assess(centre, scores, checklist="co-so-ho-tro-gbv")
    assert (done.facility, done.community_model, done.band_label) == (centre, None, "Đạt chuẩn")
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=done.pk).update(
            community_model=CommunityModel.objects.create(
                kind="trusted_address", name="x", place=centre.place, agency=centre
            )
        )


def test_only_the_coordinator_assesses_and_every_write_is_audited(trusted_address, assess, cast):
    with pytest.raises(PermissionDenied):
        assess(trusted_address, {"A1": 1}, actor=cast["reporter1"])
    done = assess(trusted_address, FULL_TRUSTED)
    event = audit_events("programme.assessment", done.pk, "create")[0]
    assert event.extra["checklist"] == "dia-chi-tin-cay v1"
    assert event.extra["total_percent"] == "100.0"


def test_a_future_assessment_date_is_refused(trusted_address, assess):
    with pytest.raises(ValidationError) as exc:
        assess(trusted_address, {"A1": 1}, on=timezone.localdate() + dt.timedelta(days=1))
    assert exc.value.message_dict["assessed_on"] == ["Ngày đánh giá ở tương lai."]


# --- Model reviews -------------------------------------------------------------------------------


def review_input(**overrides) -> services.ReviewInput:
    values = {
        "period_start": dt.date(2025, 1, 1),
        "period_end": dt.date(2025, 12, 31),
        "members_total": 10,
        "members_female": 7,
        "people_served": 14,
        "survivors_supported": 3,
        "decision": "continue",
        "reasons": "Mô hình hoạt động đều, người dân tin tưởng.",
    }
    values.update(overrides)
    return services.ReviewInput(**values)


def test_a_review_keeps_the_activities_of_its_period(trusted_address, cast, record, tasks):
    record(
        kind="model_activity",
        tasks=["II.4.a-1"],
        details={"community_model": trusted_address},
        participants_total=30,
        participants_female=20,
        participants_male=10,
    )
    review = services.model_review_create(
        actor=cast["coordinator1"], model=trusted_address, data=review_input()
    )
    assert (review.activities_count, review.activity_participants) == (1, 30)
    assert review.activity_participants_female == 20
    assert (review.members_total, review.survivors_supported) == (10, 3)
    assert audit_events("programme.model_review", review.pk, "create")


def test_a_stop_decision_closes_the_model(trusted_address, cast):
    version = trusted_address.version
    review = services.model_review_create(
        actor=cast["coordinator1"],
        model=trusted_address,
        data=review_input(decision="stop", reasons="Không còn người phụ trách."),
    )
    trusted_address.refresh_from_db()
    assert trusted_address.status == "closed"
    assert trusted_address.version == version + 1
    change = audit_events("programme.model", trusted_address.pk, "update")[-1]
    assert change.extra["review"] == review.pk


@pytest.mark.parametrize(
    ("overrides", "key", "message"),
    [
        (
            {"period_start": dt.date(2025, 6, 1), "period_end": dt.date(2025, 5, 1)},
            "period_end",
            "Kỳ rà soát kết thúc (01/05/2025) trước khi bắt đầu (01/06/2025).",
        ),
        ({"period_end": dt.date(2999, 1, 1)}, "period_end", "ở tương lai"),
        ({"decision": "promote"}, "decision", "Quyết định không hợp lệ"),
        ({"reasons": "  "}, "reasons", "Hãy ghi lý do của quyết định."),
        ({"members_female": 11}, "members_female", "lớn hơn tổng số"),
    ],
)
def test_a_bad_review_is_refused_by_field_and_nothing_is_saved(
    trusted_address, cast, overrides, key, message
):
    with pytest.raises(ValidationError) as exc:
        services.model_review_create(
            actor=cast["coordinator1"],
            model=trusted_address,
            data=review_input(**{"decision": "stop", **overrides}),
        )
    assert message in " ".join(exc.value.message_dict[key])
    assert not ModelReview.objects.exists()
    trusted_address.refresh_from_db()
    assert trusted_address.status == "active"
