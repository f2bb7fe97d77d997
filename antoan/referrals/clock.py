"""The referral services' clock: the case services' clock, so one test clock moves both."""

from __future__ import annotations

import datetime as dt

from antoan.cases.services import common as _case_common


def now() -> dt.datetime:
    # Looked up at call time, so a test that moves the case clock moves ours too.
    return _case_common.now()
