"""Vietnamese text: normalisation for storage and accent-insensitive search."""

from __future__ import annotations

import unicodedata

# đ/Đ are letters of their own, not d with a combining mark, so NFD leaves them alone.
_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(text: str) -> str:
    """Text as stored: NFC, so the same word typed on two keyboards is the same string."""
    return unicodedata.normalize("NFC", text)


def search_key(text: str) -> str:
    """Lower-case, accent-free, single-spaced form: "Nguyễn Thị Hoà" → "nguyen thi hoa"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().translate(_EXTRA).split())


def positive_id(raw: str | None) -> int | None:
    """An id given in a query string (``?after=12``, ``?before=40``): a positive integer of at
    most 18 ASCII digits (a bigint), else None, which the caller treats as "not given"."""
    if not raw or len(raw) > 18 or not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value or None
