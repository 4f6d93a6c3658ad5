"""Which day it is, for the whole platform.

"Today" is always Chinese local time (Asia/Shanghai), whatever the server's own clock zone:
a UTC server that asked ``date.today()`` would still be on yesterday from midnight to 08:00
Beijing time, and reject an examination done this morning as "in the future". ruff's DTZ011
and DTZ005 rules keep ``date.today()`` and naive ``datetime.now()`` out of the code base.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    return dt.datetime.now(TZ)


def today() -> dt.date:
    return now().date()
