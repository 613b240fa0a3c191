"""Drawing one recorded video frame: the theme's background, a tile per shown participant (their latest
camera frame fitted inside, or their initial when they send no video), their name, the speaker's border."""

from __future__ import annotations

from dataclasses import dataclass

import av
import numpy as np

from parley.rooms.font import GLYPH_HEIGHT, draw_text, text_width
from parley.rooms.layout import Palette, RecordingConfig, Rect, featured_first, tile_rects

BORDER = 4


@dataclass(frozen=True)
class TileSource:
    """What the compositor knows of one participant at this instant."""

    id: str
    name: str
    frame: av.VideoFrame | None


def compose(
    sources: list[TileSource],
    speaker: str | None,
    config: RecordingConfig,
    palette: Palette,
    size: tuple[int, int],
) -> np.ndarray:
    """An RGB frame (height, width, 3) of `size` (width, height)."""
    width, height = size
    canvas = np.empty((height, width, 3), dtype=np.uint8)
    canvas[:] = palette.background
    by_id = {source.id: source for source in sources}
    order = featured_first([source.id for source in sources], speaker, config)
    for rect, participant_id in zip(tile_rects(len(order), config, width, height), order, strict=False):
        source = by_id[participant_id]
        emphasised = config.priority == "SPEAKER" and participant_id == speaker
        _draw_tile(canvas, rect, source, palette, emphasised)
    return canvas


def _draw_tile(
    canvas: np.ndarray, rect: Rect, source: TileSource, palette: Palette, emphasised: bool
) -> None:
    region = canvas[rect.y : rect.y + rect.height, rect.x : rect.x + rect.width]
    region[:] = palette.tile
    if source.frame is not None:
        _paste_fitted(region, source.frame)
    else:
        _draw_initial(region, source.name, palette)
    _draw_label(region, source.name, palette)
    if emphasised:
        region[:BORDER], region[-BORDER:] = palette.accent, palette.accent
        region[:, :BORDER], region[:, -BORDER:] = palette.accent, palette.accent


def _paste_fitted(region: np.ndarray, frame: av.VideoFrame) -> None:
    """The whole camera picture, scaled to fit inside the tile and centred (letterboxed)."""
    tile_h, tile_w = region.shape[:2]
    scale = min(tile_w / frame.width, tile_h / frame.height)
    fit_w = max(2, int(frame.width * scale) // 2 * 2)
    fit_h = max(2, int(frame.height * scale) // 2 * 2)
    picture = frame.reformat(width=fit_w, height=fit_h, format="rgb24").to_ndarray()
    top, left = (tile_h - fit_h) // 2, (tile_w - fit_w) // 2
    region[top : top + fit_h, left : left + fit_w] = picture[: tile_h - top, : tile_w - left]


def _draw_initial(region: np.ndarray, name: str, palette: Palette) -> None:
    tile_h, tile_w = region.shape[:2]
    initial = (name.strip()[:1] or "?").upper()
    scale = max(2, min(tile_h, tile_w) // (GLYPH_HEIGHT * 3))
    x = (tile_w - text_width(initial, scale)) // 2
    y = (tile_h - GLYPH_HEIGHT * scale) // 2
    draw_text(region, initial, x, y, palette.text, scale)


def _draw_label(region: np.ndarray, name: str, palette: Palette) -> None:
    tile_h, tile_w = region.shape[:2]
    scale = 2 if tile_h >= 160 else 1
    pad = 3 * scale
    strip_h = GLYPH_HEIGHT * scale + 2 * pad
    most = max(1, (tile_w - 2 * pad) // ((5 + 1) * scale))
    label = name if len(name) <= most else name[: max(1, most - 1)] + "."
    strip_w = min(tile_w, text_width(label, scale) + 2 * pad)
    top = tile_h - strip_h
    region[top:, :strip_w] = palette.label
    draw_text(region, label, pad, top + pad, palette.text, scale)
