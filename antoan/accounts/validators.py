"""Password rules beyond Django's own: words that belong to this system and its users."""

from __future__ import annotations

from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from antoan.core.text import search_key

# Words an attacker tries first against this system: its name, the province, the programme.
# Compared without accents or case, so "AnToan2026!!" and "an toàn 2026" are both caught.
CONTEXT_WORDS = ("antoan", "an toan", "hung yen", "hungyen", "baoluc", "bao luc", "matkhau")


class ContextWordsValidator:
    """Refuse passwords built on the system's name, the province or the username."""

    def validate(self, password: str, user=None) -> None:
        key = search_key(password)
        squashed = key.replace(" ", "")
        words = list(CONTEXT_WORDS)
        username = getattr(user, "username", "") or ""
        if len(username) >= 4:
            words.append(search_key(username))
        for word in words:
            if word and (word in key or word.replace(" ", "") in squashed):
                raise ValidationError(
                    _(
                        "Mật khẩu không được chứa tên hệ thống, tên tỉnh hay tên đăng nhập: "
                        "đó là những từ kẻ gian thử đầu tiên."
                    ),
                    code="password_context_word",
                )

    def get_help_text(self) -> str:
        return _("Mật khẩu không được chứa tên hệ thống, tên tỉnh hay tên đăng nhập.")


class MinimumLength(MinimumLengthValidator):
    """Django's length rule, with its message in Vietnamese (Django's catalogue lacks it)."""

    def get_error_message(self) -> str:
        return _("Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.") % {
            "min_length": self.min_length
        }

    def get_help_text(self) -> str:
        return _("Mật khẩu cần ít nhất %(min_length)d ký tự.") % {"min_length": self.min_length}
