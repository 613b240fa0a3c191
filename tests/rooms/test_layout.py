"""Where tiles go for each layout and orientation, and how the active speaker and names are drawn."""

from __future__ import annotations

import av
import numpy as np

from parley.rooms.compose import TileSource, compose
from parley.rooms.font import text_mask
from parley.rooms.layout import PALETTES, RecordingConfig, tile_rects, video_format


def test_grid_spotlight_and_sidebar_place_tiles_inside_the_frame_without_overlap() -> None:
    grid = tile_rects(4, RecordingConfig(layout="GRID"), 1280, 720)
    assert len(grid) == 4 and {(r.x, r.y) for r in grid} == {(8, 8), (644, 8), (8, 364), (644, 364)}
    assert len(tile_rects(6, RecordingConfig(layout="GRID", grid_size=4), 1280, 720)) == 4
    assert len(tile_rects(3, RecordingConfig(layout="SPOTLIGHT"), 1280, 720)) == 1
    main, *side = tile_rects(3, RecordingConfig(layout="SIDEBAR"), 1280, 720)
    assert main.width >= 3 * side[0].width and all(rect.x > main.x + main.width for rect in side)
    portrait = tile_rects(2, RecordingConfig(layout="GRID"), 360, 640)
    assert portrait[0].y + portrait[0].height < portrait[1].y  # stacked, not side by side
    for rects, (width, height) in ((grid, (1280, 720)), (portrait, (360, 640))):
        for rect in rects:
            assert (
                rect.x >= 0
                and rect.y >= 0
                and rect.x + rect.width <= width
                and rect.y + rect.height <= height
            )


def test_quality_and_orientation_set_the_frame_size() -> None:
    assert (video_format(RecordingConfig(quality="high")).width, video_format(RecordingConfig()).height) == (
        1920,
        720,
    )
    portrait = video_format(RecordingConfig(quality="low", orientation="portrait"))
    assert (portrait.width, portrait.height) == (360, 640)


def _camera(colour: tuple[int, int, int]) -> av.VideoFrame:
    picture = np.empty((240, 320, 3), dtype=np.uint8)
    picture[:] = colour
    return av.VideoFrame.from_ndarray(picture, format="rgb24")


def test_the_speaker_gets_the_accent_border_and_names_are_written_under_each_tile() -> None:
    palette = PALETTES["DARK"]
    sources = [TileSource("a", "Ann", _camera((200, 0, 0))), TileSource("b", "Bo", None)]
    config = RecordingConfig(layout="GRID", priority="SPEAKER")
    frame = compose(sources, "b", config, palette, (640, 360))
    featured, second = tile_rects(2, config, 640, 360)  # with SPEAKER priority the speaker comes first
    assert tuple(frame[featured.y + 1, featured.x + featured.width // 2]) == palette.accent
    assert tuple(frame[second.y + 1, second.x + second.width // 2]) != palette.accent
    label = text_mask("Ann", 2)
    strip = frame[second.y + second.height - 20 : second.y + second.height, second.x : second.x + 60]
    assert (strip == palette.text).all(axis=2).sum() == label.sum()  # the name, pixel for pixel
    pinned = compose(sources, "b", RecordingConfig(layout="SPOTLIGHT", priority="PIN"), palette, (640, 360))
    assert tuple(pinned[180, 320]) == (200, 0, 0)  # PIN features the first to join, not the speaker
