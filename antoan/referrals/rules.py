"""Pure rules of the referral network: service-level deadlines and status transitions."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from antoan.core import workdays

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """``days`` working days after ``start``, at the same time in Vietnam.

    Working days are those of the shared calendar (``antoan.core.workdays``): weekends, public
    holidays, Tết and the government's announced swaps do not count.
    """
    moment = start.astimezone(VN)
    day = workdays.add_working_days(moment.date(), days)
    return dt.datetime.combine(day, moment.timetz().replace(tzinfo=None), tzinfo=VN)


def due_at(*, urgency: str, sent_at: dt.datetime) -> dt.datetime:
    """When the addressee must have accepted or declined a referral of this urgency."""
    if urgency == "immediate":
        return sent_at + dt.timedelta(minutes=settings.ANTOAN_REFERRAL_SLA_IMMEDIATE_MINUTES)
    if urgency == "high":
        return sent_at + dt.timedelta(hours=settings.ANTOAN_REFERRAL_SLA_HIGH_HOURS)
    return add_working_days(sent_at, settings.ANTOAN_REFERRAL_SLA_NORMAL_WORKING_DAYS)


def alias_of(full_name: str) -> str:
    """What the recipient calls the survivor: the given name (the last word, Vietnamese order)."""
    words = (full_name or "").split()
    return words[-1] if words else ""


# Words of a note that ask the recipient to reach the survivor by phone. Matched on the note
# without diacritics as well ("goi dien"), as notes are often typed on phones without them;
# "gọi" alone is matched with its diacritics only, since unaccented "goi" is also "gói".
_PHONE_WORDS = re.compile(
    r"\bgọi\b|\bgoi dien\b|\bdien thoai\b|\bđt\b|\bsđt\b|\bsdt\b|\bnhan tin\b|\bzalo\b"
    r"|\blien lac\b|\blien he\b|\bcall\b|\bphone\b",
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", bare).replace("đ", "d")


def note_expects_phone(note: str) -> bool:
    """Whether a safety note asks the recipient to call, text or contact the survivor."""
    lowered = unicodedata.normalize("NFC", (note or "").lower())
    return bool(_PHONE_WORDS.search(lowered) or _PHONE_WORDS.search(_fold(note or "")))


def preview_warnings(shared: dict[str, Any]) -> list[str]:
    """Contradictions in what the recipient would see, for the sender to fix before sending."""
    warnings = []
    if shared.get("phone") is None and note_expects_phone(shared.get("safety_notes", "")):
        warnings.append(
            _(
                "Ghi chú nhắc đến việc gọi điện hoặc liên lạc, nhưng nơi nhận sẽ không thấy số "
                "điện thoại (người bị bạo lực chưa đồng ý chia sẻ với cơ quan này). Hãy sửa ghi "
                "chú, hoặc ghi nhận sự đồng ý chia sẻ trước khi gửi."
            )
        )
    return warnings
