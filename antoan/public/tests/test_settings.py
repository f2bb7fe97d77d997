"""The quick-exit address is checked when the settings load: a mistyped or ``javascript:``
address would turn the button that must get a visitor out into one that does not."""

from __future__ import annotations

import pytest

from tests.test_settings import _python


@pytest.mark.parametrize("value", ["javascript:alert(1)", "nchmf.gov.vn", ""])
def test_a_quick_exit_address_that_is_not_http_stops_the_process(tmp_path, value):
    result = _python(
        "import antoan.settings",
        env={"ANTOAN_ENV": "test", "ANTOAN_QUICK_EXIT_URL": value},
        tmp_path=tmp_path,
    )
    assert result.returncode != 0
    assert "ANTOAN_QUICK_EXIT_URL must be an http(s):// address" in result.stderr


def test_the_default_quick_exit_address_is_the_weather_service(tmp_path):
    result = _python(
        "import antoan.settings as s; print(s.ANTOAN_QUICK_EXIT_URL)",
        env={"ANTOAN_ENV": "test"},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://nchmf.gov.vn/"
