"""``/api/v1/hotline``: the call log of the hotline (see docs/hotline.md)."""
