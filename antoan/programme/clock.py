"""The programme's "today": which plan is in force, whether it has ended, what is in the future.

Every programme page and service asks here rather than ``timezone.localdate()`` directly, so a
test moves them all with one patch of ``antoan.programme.clock.today`` (callers look it up at
call time: ``clock.today()``). The date is Việt Nam's, like every date the system shows
(``antoan.core.dates`` bounds typed dates against the same day).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    return timezone.localdate()
