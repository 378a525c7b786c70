"""Date formats of the console's pages and admin (FORMAT_MODULE_PATH): every datetime shown without
an explicit format names its time zone and uses the 24-hour clock, e.g. "Dec. 6, 2026, 22:49 UTC".
The console runs in UTC (TIME_ZONE) and partners are everywhere, so a bare "10:49 p.m." is ambiguous.
"""

DATETIME_FORMAT = "N j, Y, H:i T"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
