"""The recording's look: what `config` asks for (layout, theme, quality, orientation) and where tiles go.

GRID shows up to `gridSize` participants in a near-square grid. SPOTLIGHT shows one: the active speaker
with priority SPEAKER, the first to join with priority PIN (rooms have no pin control, so the earliest
participant stands for the pinned one). SIDEBAR puts that one large on the left (landscape) or on top
(portrait) and up to `gridSize - 1` others beside it. With priority SPEAKER the active speaker's tile
gets a border in the theme's accent colour, in every layout.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

LayoutType = Literal["GRID", "SPOTLIGHT", "SIDEBAR"]
Priority = Literal["SPEAKER", "PIN"]
Theme = Literal["DARK", "LIGHT", "DEFAULT"]
Mode = Literal["video-and-audio", "audio"]
Quality = Literal["low", "med", "high"]
Orientation = Literal["portrait", "landscape"]
Colour = tuple[int, int, int]


@dataclass(frozen=True)
class RecordingConfig:
    layout: LayoutType = "GRID"
    priority: Priority = "SPEAKER"
    grid_size: int = 4
    theme: Theme = "DEFAULT"
    mode: Mode = "video-and-audio"
    quality: Quality = "med"
    orientation: Orientation = "landscape"


@dataclass(frozen=True)
class VideoFormat:
    width: int
    height: int
    fps: int
    bitrate: int  # bits per second


@dataclass(frozen=True)
class Palette:
    background: Colour
    tile: Colour
    label: Colour  # the strip under a name
    text: Colour
    accent: Colour  # the active speaker's border


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    width: int
    height: int


# Landscape sizes; portrait swaps width and height. Even numbers: H.264 4:2:0 needs them.
QUALITIES: dict[str, VideoFormat] = {
    "low": VideoFormat(640, 360, 15, 500_000),
    "med": VideoFormat(1280, 720, 15, 1_500_000),
    "high": VideoFormat(1920, 1080, 24, 3_000_000),
}

PALETTES: dict[str, Palette] = {
    "DARK": Palette((18, 18, 18), (44, 44, 46), (0, 0, 0), (255, 255, 255), (76, 217, 100)),
    "LIGHT": Palette((240, 240, 242), (205, 208, 214), (255, 255, 255), (20, 20, 20), (0, 122, 255)),
    "DEFAULT": Palette((26, 32, 53), (48, 57, 84), (15, 19, 33), (255, 255, 255), (89, 151, 255)),
}

GAP = 8  # pixels between tiles and around the edge


def video_format(config: RecordingConfig) -> VideoFormat:
    base = QUALITIES[config.quality]
    if config.orientation == "portrait":
        return VideoFormat(base.height, base.width, base.fps, base.bitrate)
    return base


def featured_first(participants: list[str], speaker: str | None, config: RecordingConfig) -> list[str]:
    """Participants (ids, in joining order) with the one to feature first."""
    if config.priority == "SPEAKER" and speaker in participants:
        return [speaker, *[other for other in participants if other != speaker]]
    return list(participants)


def tile_rects(count: int, config: RecordingConfig, width: int, height: int) -> list[Rect]:
    """Where the first `count` participants of `featured_first` go (fewer when the layout shows fewer)."""
    if count == 0:
        return []
    if config.layout == "SPOTLIGHT":
        return [Rect(GAP, GAP, width - 2 * GAP, height - 2 * GAP)]
    if config.layout == "SIDEBAR" and count > 1:
        return _sidebar(min(count, config.grid_size), width, height)
    return _grid(min(count, config.grid_size), width, height)


def _grid(count: int, width: int, height: int) -> list[Rect]:
    columns = math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    if height > width:  # portrait: stack rather than put side by side
        columns, rows = rows, columns
    cell_w = (width - GAP * (columns + 1)) // columns
    cell_h = (height - GAP * (rows + 1)) // rows
    rects = []
    for index in range(count):
        row, column = divmod(index, columns)
        rects.append(Rect(GAP + column * (cell_w + GAP), GAP + row * (cell_h + GAP), cell_w, cell_h))
    return rects


def _sidebar(count: int, width: int, height: int) -> list[Rect]:
    others = count - 1
    if width >= height:
        main_w = (width - 3 * GAP) * 3 // 4
        side_w = width - 3 * GAP - main_w
        side_h = (height - GAP * (others + 1)) // others
        main = Rect(GAP, GAP, main_w, height - 2 * GAP)
        side = [Rect(2 * GAP + main_w, GAP + i * (side_h + GAP), side_w, side_h) for i in range(others)]
    else:
        main_h = (height - 3 * GAP) * 3 // 4
        side_h = height - 3 * GAP - main_h
        side_w = (width - GAP * (others + 1)) // others
        main = Rect(GAP, GAP, width - 2 * GAP, main_h)
        side = [Rect(GAP + i * (side_w + GAP), 2 * GAP + main_h, side_w, side_h) for i in range(others)]
    return [main, *side]
