"""Opening a case from a call uses the intake form but keeps no draft of its own: it is filled
from the call, and reopened from the call if interrupted (docs/forms.md)."""

from __future__ import annotations

from django.urls import reverse


def test_the_open_case_page_keeps_no_draft(cast, client_for, log_call, hotlinesup):
    call = log_call(immediate_danger=True)
    page = client_for(cast["hotline1"]).get(reverse("hotline:open_case", args=[call.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="open-case-form"' in html and "data-draft-url" not in html
