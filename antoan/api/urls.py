from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer

from antoan.accounts.roles import Perm
from antoan.api import auth, exports, places, views
from antoan.api.cases import intake, records, workflow
from antoan.api.health import views as health
from antoan.api.hotline import calls as hotline_calls
from antoan.api.hotline import chats as hotline_chats
from antoan.api.hotline import messages as hotline_messages
from antoan.api.hotline import queue as hotline_queue
from antoan.api.hotline import telephony as hotline_telephony
from antoan.api.indicators import views as indicators
from antoan.api.programme import activities as programme_activities
from antoan.api.programme import building as programme_build
from antoan.api.programme import campaigns as programme_campaigns
from antoan.api.programme import plans as programme_plans
from antoan.api.programme import standards as programme_standards
from antoan.api.referrals import views as referrals
from antoan.api.reports import views as reports

app_name = "api"


class JsonErrors:
    """Errors in the API's JSON shape even where the success is YAML or HTML."""

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


class SchemaView(JsonErrors, SpectacularAPIView):
    permission = Perm.USE_SYSTEM


class DocsView(JsonErrors, SpectacularSwaggerSplitView):
    permission = Perm.API_DOCS
    # drf-spectacular's page with <html lang> (docs/accessibility.md).
    template_name = "api/swagger_ui.html"


urlpatterns = [
    path("auth/token", auth.TokenView.as_view(), name="token"),
    path("me", views.MeView.as_view(), name="me"),
    path("agencies", views.AgencyListView.as_view(), name="agencies"),
    path("places", places.PlaceListView.as_view(), name="places"),
    # Cases
    path("cases", intake.CaseCollectionView.as_view(), name="cases"),
    path("cases/search", intake.CaseSearchView.as_view(), name="cases-search"),
    path("cases/<int:case_id>", intake.CaseDetailView.as_view(), name="case"),
    path("cases/<int:case_id>/incidents", records.IncidentAddView.as_view(), name="case-incidents"),
    path(
        "cases/<int:case_id>/assessments",
        records.AssessmentAddView.as_view(),
        name="case-assessments",
    ),
    path(
        "cases/<int:case_id>/safety-plans",
        records.SafetyPlanAddView.as_view(),
        name="case-safety-plans",
    ),
    path("cases/<int:case_id>/case-plans", records.CasePlanAddView.as_view(), name="case-plans"),
    path(
        "cases/<int:case_id>/follow-ups", records.FollowUpAddView.as_view(), name="case-follow-ups"
    ),
    path("cases/<int:case_id>/notes", records.NoteAddView.as_view(), name="case-notes"),
    path("cases/<int:case_id>/consents", records.ConsentRecordView.as_view(), name="case-consents"),
    path(
        "cases/<int:case_id>/consents/withdraw",
        records.ConsentWithdrawView.as_view(),
        name="case-consents-withdraw",
    ),
    path(
        "cases/<int:case_id>/measures", workflow.MeasureRequestView.as_view(), name="case-measures"
    ),
    path(
        "cases/<int:case_id>/measures/<int:measure_id>/decision",
        workflow.MeasureDecisionView.as_view(),
        name="case-measure-decision",
    ),
    path(
        "cases/<int:case_id>/closure-request",
        workflow.ClosureRequestView.as_view(),
        name="case-closure-request",
    ),
    path(
        "cases/<int:case_id>/closure-decision",
        workflow.ClosureDecisionView.as_view(),
        name="case-closure-decision",
    ),
    path("cases/<int:case_id>/reopen", workflow.ReopenView.as_view(), name="case-reopen"),
    path(
        "cases/<int:case_id>/transfer", workflow.TransferRequestView.as_view(), name="case-transfer"
    ),
    path("case-transfers", workflow.TransferListView.as_view(), name="case-transfers"),
    path(
        "cases/duplicate-reviews",
        workflow.DuplicateReviewListView.as_view(),
        name="case-duplicate-reviews",
    ),
    path(
        "case-transfers/<int:transfer_id>/decision",
        workflow.TransferDecisionView.as_view(),
        name="case-transfer-decision",
    ),
    # Referral network
    path("providers", referrals.ProviderListView.as_view(), name="providers"),
    path(
        "cases/<int:case_id>/referrals",
        referrals.CaseReferralView.as_view(),
        name="case-referrals",
    ),
    path("cases/<int:case_id>/services", referrals.CaseServiceView.as_view(), name="case-services"),
    path("referrals", referrals.ReferralListView.as_view(), name="referrals"),
    path("referrals/<int:referral_id>", referrals.ReferralDetailView.as_view(), name="referral"),
    *(
        path(
            f"referrals/<int:referral_id>/{name}",
            getattr(referrals, f"Referral{name.title()}View").as_view(),
            name=f"referral-{name}",
        )
        for name in ("accept", "decline", "deliver", "close", "revoke")
    ),
    # Hotline
    path("hotline/calls", hotline_calls.CallCollectionView.as_view(), name="hotline-calls"),
    path(
        "hotline/calls/<int:call_id>", hotline_calls.CallDetailView.as_view(), name="hotline-call"
    ),
    path(
        "hotline/calls/<int:call_id>/notifications",
        hotline_calls.CallNotificationView.as_view(),
        name="hotline-call-notifications",
    ),
    path(
        "hotline/calls/<int:call_id>/open-case",
        hotline_calls.CallOpenCaseView.as_view(),
        name="hotline-call-open-case",
    ),
    # The public web chat (docs/hotline.md "Web chat"): no account, a token per chat.
    path("hotline/chats", hotline_chats.ChatCollectionView.as_view(), name="hotline-chats"),
    path(
        "hotline/chats/<int:chat_id>/messages",
        hotline_chats.ChatMessagesView.as_view(),
        name="hotline-chat-messages",
    ),
    path(
        "hotline/chats/<int:chat_id>/end",
        hotline_chats.ChatEndView.as_view(),
        name="hotline-chat-end",
    ),
    path("hotline/queue", hotline_queue.QueueView.as_view(), name="hotline-queue"),
    path("hotline/presence", hotline_queue.PresenceView.as_view(), name="hotline-presence"),
    path(
        "hotline/contacts/<int:contact_id>/take",
        hotline_queue.ContactTakeView.as_view(),
        name="hotline-contact-take",
    ),
    path(
        "hotline/contacts/<int:contact_id>/end",
        hotline_queue.ContactEndView.as_view(),
        name="hotline-contact-end",
    ),
    # Signed webhooks of the PBX and the SMS/Zalo gateway (docs/hotline-telephony.md).
    path(
        "hotline/telephony/events",
        hotline_telephony.TelephonyEventView.as_view(),
        name="hotline-telephony-events",
    ),
    path(
        "hotline/messages/inbound",
        hotline_messages.InboundMessageView.as_view(),
        name="hotline-messages-inbound",
    ),
    # Programme monitoring
    path("reports/cycles", reports.CycleListView.as_view(), name="reports-cycles"),
    path(
        "reports/cycles/<int:cycle_id>/consolidated.docx",
        reports.ConsolidatedView.as_view(),
        name="reports-consolidated-docx",
    ),
    path(
        "reports/cycles/<int:cycle_id>/consolidated.pdf",
        reports.ConsolidatedPdfView.as_view(),
        name="reports-consolidated-pdf",
    ),
    path(
        "reports/cycles/<int:cycle_id>/consolidated.xlsx",
        reports.ConsolidatedXlsxView.as_view(),
        name="reports-consolidated-xlsx",
    ),
    path(
        "reports/submissions/<int:submission_id>",
        reports.SubmissionDetailView.as_view(),
        name="reports-submission",
    ),
    path(
        "reports/submissions/<int:submission_id>/submit",
        reports.SubmitView.as_view(),
        name="reports-submission-submit",
    ),
    path(
        "reports/submissions/<int:submission_id>/return",
        reports.ReturnView.as_view(),
        name="reports-submission-return",
    ),
    path(
        "reports/submissions/<int:submission_id>/accept",
        reports.AcceptView.as_view(),
        name="reports-submission-accept",
    ),
    path(
        "reports/submissions/<int:submission_id>/correct",
        reports.CorrectView.as_view(),
        name="reports-submission-correct",
    ),
    path(
        "reports/final-review.docx", reports.FinalReviewView.as_view(), name="reports-final-review"
    ),
    path("programme/plans", programme_build.PlanCollectionView.as_view(), name="programme-plans"),
    path(
        "programme/plans/<int:plan_id>",
        programme_build.PlanDetailView.as_view(),
        name="programme-plan",
    ),
    *(
        path(
            f"programme/plans/<int:plan_id>/{action}",
            getattr(programme_build, f"Plan{action.title()}View").as_view(),
            name=f"programme-plan-{action}",
        )
        for action in ("publish", "submit", "return")
    ),
    path(
        "programme/plans/<int:plan_id>/tasks",
        programme_build.PlanTasksView.as_view(),
        name="programme-plan-tasks",
    ),
    path(
        "programme/plans/<int:plan_id>/tasks/<int:task_id>",
        programme_build.PlanTaskDetailView.as_view(),
        name="programme-plan-task",
    ),
    path(
        "programme/plans/<int:plan_id>/objectives",
        programme_build.PlanObjectivesView.as_view(),
        name="programme-plan-objectives",
    ),
    path(
        "programme/plans/<int:plan_id>/budget",
        programme_build.PlanBudgetView.as_view(),
        name="programme-plan-budget",
    ),
    path(
        "programme/plans/<int:plan_id>/coverage",
        programme_build.PlanCoverageView.as_view(),
        name="programme-plan-coverage",
    ),
    path(
        "programme/activities",
        programme_activities.ActivityCollectionView.as_view(),
        name="programme-activities",
    ),
    path(
        "programme/activities/<int:activity_id>",
        programme_activities.ActivityDetailView.as_view(),
        name="programme-activity",
    ),
    path(
        "programme/models",
        programme_plans.CommunityModelListView.as_view(),
        name="programme-models",
    ),
    path(
        "programme/models/<int:model_id>/assessments",
        programme_standards.ModelAssessmentView.as_view(),
        name="programme-model-assessments",
    ),
    path(
        "programme/models/<int:model_id>/reviews",
        programme_standards.ModelReviewView.as_view(),
        name="programme-model-reviews",
    ),
    path(
        "programme/checklists",
        programme_standards.ChecklistListView.as_view(),
        name="programme-checklists",
    ),
    path("programme/budget", programme_plans.BudgetView.as_view(), name="programme-budget"),
    path(
        "programme/campaigns",
        programme_campaigns.CampaignCollectionView.as_view(),
        name="programme-campaigns",
    ),
    path(
        "programme/campaigns/<int:campaign_id>",
        programme_campaigns.CampaignDetailView.as_view(),
        name="programme-campaign",
    ),
    # Indicators
    path("indicators", indicators.IndicatorListView.as_view(), name="indicators"),
    path("indicators/values", indicators.ValueListView.as_view(), name="indicator-values"),
    path("indicators/estimates", indicators.EstimateView.as_view(), name="indicator-estimates"),
    # Statistical exports (docs/interop/exports.md)
    path("exports/dhis2", exports.Dhis2ExportView.as_view(), name="export-dhis2"),
    path("exports/circular07", exports.Circular07ExportView.as_view(), name="export-circular07"),
    path("exports/gbvims", exports.GbvimsExportView.as_view(), name="export-gbvims"),
    path("exports/decree110", exports.Decree110ExportView.as_view(), name="export-decree110"),
    # Health facilities: anonymous contacts (write-only) and their suppressed monthly summary
    path("health/contacts", health.ContactCollectionView.as_view(), name="health-contacts"),
    path("health/contacts/summary", health.SummaryView.as_view(), name="health-contacts-summary"),
    path("schema", SchemaView.as_view(), name="schema"),
    path("docs", DocsView.as_view(url_name="api:schema"), name="docs"),
]
