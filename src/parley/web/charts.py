"""Analytics as pictures: small horizontal bar charts drawn as inline SVG on the server (no script, no
library). Each chart is an accessible image: a title and a description a screen reader announces, and
every bar carries its value as visible text, so nothing is conveyed by colour or length alone."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from parley.intel.analytics import Analytics

WIDTH = 400  # drawn at this size (never wider), shrunk to fit narrow screens
LABEL_WIDTH = 110
BAR_SPACE = 190  # the longest bar's length; its value text follows it
ROW = 30
BAR = 18


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    caption: str  # the value as people read it ("1:05 · 62%")
    colour: int | None = None  # a speaker colour index; None: the neutral colour


def bar_chart(key: str, title: str, description: str, bars: list[Bar]) -> Markup:
    """`key` makes the title/description ids unique on the page."""
    height = max(1, len(bars)) * ROW + 8
    largest = max((bar.value for bar in bars), default=0.0) or 1.0
    rows = [_row(index, bar, largest) for index, bar in enumerate(bars)]
    if not bars:
        rows.append(f'<text x="0" y="20" class="chart-label">{escape("No speech to chart yet")}</text>')
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{key}-title {key}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{key}-title">{escape(title)}</title><desc id="{key}-desc">{escape(description)}</desc>'
        + "".join(rows)
        + "</svg>"
    )
    return Markup(svg)


def _row(index: int, bar: Bar, largest: float) -> str:
    top = index * ROW + 4
    length = max(2.0, BAR_SPACE * bar.value / largest) if bar.value > 0 else 0.0
    colour = f"bar speaker-fill-{bar.colour}" if bar.colour is not None else "bar bar-neutral"
    label = bar.label if len(bar.label) <= 14 else bar.label[:13] + "…"
    middle = top + BAR / 2 + 5
    return (
        f'<text x="0" y="{middle:.0f}" class="chart-label">{escape(label)}</text>'
        f'<rect x="{LABEL_WIDTH}" y="{top}" width="{length:.1f}" height="{BAR}" rx="3" class="{colour}">'
        f"<title>{escape(bar.label)}: {escape(bar.caption)}</title></rect>"
        f'<text x="{LABEL_WIDTH + length + 8:.1f}" y="{middle:.0f}" class="chart-value">'
        f"{escape(bar.caption)}</text>"
    )


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


@dataclass(frozen=True)
class Speaker:
    name: str
    colour: int | None


def analytics_charts(analytics: Analytics, speakers: dict[str, Speaker]) -> list[Markup]:
    """Talk time per speaker, pace per speaker, and the conversation's talk, silence and overlap.

    `speakers` maps the analytics' speaker keys (member ids; "" for unattributed speech) to names/colours.
    """
    unknown = Speaker("Unattributed", None)
    members = [(speakers.get(member.speaker, unknown), member) for member in analytics.members]
    talk = [
        Bar(who.name, m.talk_seconds, f"{_clock(m.talk_seconds)} · {m.talk_percent:.0f}%", who.colour)
        for who, m in members
    ]
    pace = [
        Bar(who.name, m.words_per_minute, f"{m.words_per_minute:.0f} wpm", who.colour) for who, m in members
    ]
    whole = [
        Bar(kind, seconds, f"{_clock(seconds)} · {analytics.percent(seconds):.0f}%")
        for kind, seconds in (
            ("Talk", analytics.talk_seconds),
            ("Silence", analytics.silence_seconds),
            ("Overlap", analytics.overlap_seconds),
        )
    ]
    return [
        bar_chart(
            "chart-talk", "Talk time per speaker", "Seconds each speaker talked, and their share.", talk
        ),
        bar_chart("chart-pace", "Pace per speaker", "Words per minute while each speaker talked.", pace),
        bar_chart(
            "chart-silence",
            "Talk, silence and overlap",
            f"Of the {_clock(analytics.duration)} conversation: time anyone talked, nobody talked, "
            "and two or more talked at once.",
            whole,
        ),
    ]
