"""The endpoint behind static/js/drafts.js: a form's draft, read, saved or discarded.

GET answers the signed-in user's own draft (204 when there is none); POST saves
``{"fields": [[name, value], ...]}`` or deletes with ``{"discard": true}``. Only the owner's
draft is ever touched, and only while the form's own check passes (antoan.core.drafts): any
refusal is a 404, the same as a form that does not exist.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.roles import Perm
from antoan.core import drafts
from antoan.core.permissions import PermissionRequiredMixin


class FormDraftView(PermissionRequiredMixin, View):
    # Every signed-in user; each form's own check decides (drafts.draft_check).
    permission = Perm.USE_SYSTEM
    http_method_names = ["get", "post"]

    def get(self, request, key: str) -> HttpResponse:
        found = drafts.form_draft_get(request=request, key=key)
        if found is None:
            return HttpResponse(status=204)
        draft, fields = found
        saved_at = drafts.saved_at_text(draft)
        return _json(
            {
                "fields": fields,
                "saved_at": saved_at,
                "notice": _("Đã khôi phục bản nháp lưu lúc %(time)s.") % {"time": saved_at},
                "discard": _("Bỏ bản nháp"),
            }
        )

    def post(self, request, key: str) -> HttpResponse:
        # Deny first: a user who may not fill the form learns nothing from how the body is read.
        drafts.draft_check(request, key)
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return _json({"error": _("Yêu cầu không hợp lệ.")}, status=400)
        if not isinstance(body, dict):
            return _json({"error": _("Yêu cầu không hợp lệ.")}, status=400)
        if body.get("discard") is True:
            drafts.form_draft_discard(request=request, key=key)
            return _json({"status": _("Đã bỏ bản nháp.")})
        try:
            draft = drafts.form_draft_save(request=request, key=key, fields=body.get("fields"))
        except ValidationError:
            return _json({"error": _("Không lưu được bản nháp.")}, status=400)
        return _json(
            {"status": _("Đã lưu nháp lúc %(time)s.") % {"time": drafts.saved_at_text(draft)}}
        )


def _json(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status)
    # A draft may identify a survivor: no cache anywhere may keep it.
    response["Cache-Control"] = "no-store"
    return response
