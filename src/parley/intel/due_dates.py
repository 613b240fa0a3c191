"""Due dates: find the date/time phrase of an action item and resolve it to an instant.

A small resolver of our own rather than `dateparser.search`: the phrases people use for deadlines are a
short list ("by Friday", "tomorrow at 3pm", "next week", "end of the month", "in two days", "March 5th"),
and searching free text with dateparser is slow and finds dates in words like "may" or "second".

Resolution happens in the conversation's local time: the conversation start shifted by the job's
`timezoneOffset` (minutes from UTC; the start's own zone, UTC, when absent). Conventions, documented
because phrases are vague: a day without a time is due at its local midnight ("by Friday" -> Friday
00:00), but "today" and "later today" at 17:00 like "end of day" (not the midnight before the call) and a
part of the day at its start ("tomorrow morning" 09:00, "this afternoon" 13:00, "tonight" 20:00); "the
weekend" is its Saturday; "next week" is the Monday of next week; "end of the week" and "this week" are
its Friday; "end of the month" and "this month" its last day; "next Friday" the Friday of next week; a
bare hour right after a day is a time in office hours ("next Tuesday at 11", "Friday at 3" -> 15:00); a
bare weekday or time already past today moves forward.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, timezone

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = [name.lower() for name in calendar.month_name[1:]]
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
NUMBERS |= {"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "couple of": 2, "few": 3}
UNIT_DAYS = {"day": 1, "week": 7}

_WEEKDAY = "|".join(WEEKDAYS)
_MONTH = "|".join(MONTHS)
_NUMBER = r"\d+|(?:a\s+)?couple\s+of|(?:a\s+)?few|" + "|".join(key for key in NUMBERS if " " not in key)
_HOUR_WORD = "|".join(key for key, value in NUMBERS.items() if value <= 12 and key not in {"a", "an", "few"})
# "tomorrow morning", "Friday afternoon": the hour the part of the day starts (a deadline "tonight" or
# "later today" is the evening or the end of the working day, not the midnight that began the day).
PARTS_OF_DAY = {"morning": 9, "afternoon": 13, "evening": 18, "night": 20}
_PARTS = r"morning|afternoon|evening|night"
_LEAD = r"(?:(?:by|on|before|until|till|for|due|no\s+later\s+than)\s+)?"
DATE = re.compile(
    _LEAD + r"(?:"
    r"(?P<rel>the\s+day\s+after\s+tomorrow|(?:later\s+)?today|tonight|tomorrow)"
    r"(?:\s+(?P<part>" + _PARTS + r"))?"
    r"|this\s+(?P<thispart>morning|afternoon|evening)"
    r"|(?:the|this)\s+(?P<weekend>weekend)"
    r"|(?P<eod>(?:the\s+)?end\s+of\s+(?:the\s+|to)?day|eod|close\s+of\s+business|cob)"
    r"|(?:the\s+)?end\s+of\s+(?P<eow>this|the|next)\s+week"
    r"|(?:the\s+)?end\s+of\s+(?P<eom>this|the|next)\s+month"
    r"|(?P<nextunit>next|this)\s+(?P<unit>week|month)"
    r"|(?P<which>this\s+|next\s+|coming\s+)?(?P<weekday>" + _WEEKDAY + r")"
    r"(?:\s+(?P<daypart>" + _PARTS + r"))?"
    r"|in\s+(?P<count>" + _NUMBER + r")\s+(?P<span>minute|hour|day|week|month)s?"
    r"|(?P<month>" + _MONTH + r")\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?"
    r"|the\s+(?P<day2>\d{1,2})(?:st|nd|rd|th)(?:\s+of\s+(?P<month2>" + _MONTH + r"))?"
    r")\b",
    re.IGNORECASE,
)
TIME = re.compile(
    r"\b(?:at\s+)?(?:"
    r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<half>[ap]\.m\.|[ap]m)"
    r"|(?P<hour2>\d{1,2}):(?P<minute2>\d{2})"
    r"|(?P<hourword>\d{1,2}|" + _HOUR_WORD + r")\s+o'?clock"
    r"|(?P<noon>noon|midday|midnight)"
    r")(?=\W|$)",
    re.IGNORECASE,
)


# "next Tuesday at 11": a bare hour is a time only right after a day (not "look at 5 options").
BARE_HOUR = re.compile(r"\s+at\s+(?P<hourword>\d{1,2})(?![\d:])\b")


@dataclass(frozen=True, slots=True)
class DuePhrase:
    text: str  # as written in the sentence
    offset: int  # character offset in the sentence
    value: str  # ISO-8601 instant with the conversation's offset
    has_time: bool  # "datetime" rather than "date"


def local_zone(start: datetime, offset_minutes: int | None) -> timezone:
    if offset_minutes is None:
        return start.tzinfo if isinstance(start.tzinfo, timezone) else UTC
    return timezone(timedelta(minutes=offset_minutes))


def find_due(text: str, start: datetime, offset_minutes: int | None) -> DuePhrase | None:
    """The first deadline phrase in `text`, resolved against the conversation start, or None."""
    if start.tzinfo is None:  # stored instants are UTC
        start = start.replace(tzinfo=UTC)
    zone = local_zone(start, offset_minutes)
    now = start.astimezone(zone)
    day_match = DATE.search(text)
    time_match = TIME.search(text) or (BARE_HOUR.match(text, day_match.end()) if day_match else None)
    if day_match is None and time_match is None:
        return None
    moment = _resolve_day(day_match, now) if day_match else None
    if moment is None and time_match is None:
        return None
    clock = _resolve_time(time_match) if time_match else None
    if moment is None:
        moment = now.replace(hour=0, minute=0, second=0, microsecond=0)
        if clock is not None and datetime.combine(moment.date(), clock, zone) < now:
            moment += timedelta(days=1)  # "at 3pm" said at 4pm means tomorrow
    if clock is not None:
        moment = datetime.combine(moment.date(), clock, zone)
    spans = [match.span() for match in (day_match, time_match) if match is not None]
    first, last = min(span[0] for span in spans), max(span[1] for span in spans)
    return DuePhrase(
        text=text[first:last],
        offset=first,
        value=_iso(moment),
        has_time=clock is not None or moment.time() != time(0),
    )


def _resolve_day(match: re.Match[str], now: datetime) -> datetime | None:
    parts = {key: (value.lower() if value else None) for key, value in match.groupdict().items()}
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if parts["rel"] or parts["thispart"]:
        return _relative_day(today, parts)
    if parts["weekend"]:
        return today + timedelta(days=(5 - today.weekday()) % 7 or 7)  # its Saturday
    if parts["eod"]:
        return today.replace(hour=17)
    monday = today - timedelta(days=today.weekday())
    if parts["eow"] or (parts["unit"] == "week" and parts["nextunit"] == "this"):
        friday = monday + timedelta(days=4 + (7 if parts["eow"] == "next" else 0))
        return friday if friday >= today else friday + timedelta(days=7)
    if parts["eom"] or (parts["unit"] == "month" and parts["nextunit"] == "this"):
        year, month = _add_months(today.year, today.month, 1 if parts["eom"] == "next" else 0)
        return today.replace(year=year, month=month, day=calendar.monthrange(year, month)[1])
    if parts["unit"]:  # "next week", "next month": its first day
        if parts["unit"] == "week":
            return monday + timedelta(days=7)
        year, month = _add_months(today.year, today.month, 1)
        return today.replace(year=year, month=month, day=1)
    if parts["weekday"]:
        day = _weekday(today, WEEKDAYS.index(parts["weekday"]), (parts["which"] or "").strip())
        return day.replace(hour=PARTS_OF_DAY[parts["daypart"]]) if parts["daypart"] else day
    if parts["count"]:
        return _in(now, today, _count(parts["count"]), parts["span"])
    if parts["month"] or parts["month2"] or parts["day2"]:
        return _calendar_day(today, parts)
    return None


def _relative_day(today: datetime, parts: dict[str, str | None]) -> datetime:
    """ "today", "tomorrow morning", "this afternoon", "tonight", "later today"."""
    relative = parts["rel"] or "today"
    day = today + timedelta(days={"tomorrow": 1, "the day after tomorrow": 2}.get(relative, 0))
    part = parts["part"] or parts["thispart"] or {"tonight": "night"}.get(relative)
    if part is not None:
        return day.replace(hour=PARTS_OF_DAY[part])
    return day.replace(hour=17) if relative.endswith("today") else day


def _weekday(today: datetime, weekday: int, which: str) -> datetime:
    ahead = (weekday - today.weekday()) % 7
    if which == "next":  # the one in next calendar week
        return today - timedelta(days=today.weekday()) + timedelta(days=7 + weekday)
    if ahead == 0 and which != "this":
        ahead = 7
    return today + timedelta(days=ahead)


def _in(now: datetime, today: datetime, count: int, span: str) -> datetime:
    if span in {"minute", "hour"}:
        return (now + timedelta(minutes=count * (60 if span == "hour" else 1))).replace(
            second=0, microsecond=0
        )
    if span == "month":
        year, month = _add_months(today.year, today.month, count)
        return today.replace(year=year, month=month, day=min(today.day, calendar.monthrange(year, month)[1]))
    return today + timedelta(days=count * UNIT_DAYS[span])


def _calendar_day(today: datetime, parts: dict[str, str | None]) -> datetime | None:
    month_name = parts["month"] or parts["month2"]
    month = MONTHS.index(month_name) + 1 if month_name else today.month
    day = _int(parts["day"] or parts["day2"] or "0")
    year = _int(parts["year"]) if parts["year"] else today.year
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    found = today.replace(year=year, month=month, day=day)
    if (
        found < today and not parts["year"]
    ):  # "the 3rd" said on the 20th: next month; "March 1" in May: next year
        year, month = (year + 1, month) if month_name else _add_months(year, month, 1)
        day = min(day, calendar.monthrange(year, month)[1])
        found = found.replace(year=year, month=month, day=day)
    return found


def _resolve_time(match: re.Match[str]) -> time:
    parts = {
        key: match.groupdict().get(key) for key in ("noon", "hour", "minute", "half", "hour2", "minute2")
    }
    if parts["noon"]:
        return time(0) if parts["noon"].lower() == "midnight" else time(12)
    if parts["hour"] and parts["half"]:
        hour, minute = int(parts["hour"]) % 12, int(parts["minute"] or 0)
        return time(hour + (12 if parts["half"].lower().startswith("p") else 0), minute)
    if parts["hour2"] and parts["minute2"]:
        return time(min(int(parts["hour2"]), 23), min(int(parts["minute2"]), 59))
    word = match.group("hourword").lower()
    hour = NUMBERS.get(word) or int(word)
    if hour > 12:
        return time(min(hour, 23))  # "at 14"
    return time(hour + (12 if hour < 7 else 0) if hour < 12 else 12)  # "at five o'clock" in office hours


def _add_months(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + count
    return index // 12, index % 12 + 1


def _count(text: str) -> int:
    words = re.sub(r"^a\s+", "", re.sub(r"\s+", " ", text))
    return NUMBERS.get(words) or _int(words)


def _int(text: str) -> int:
    return int(text) if text.isdigit() else 0


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
