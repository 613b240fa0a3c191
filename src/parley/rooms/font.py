"""A 5x7 bitmap font for the names on recorded tiles (no imaging library is installed, and names need only
capital letters, digits and a little punctuation; lower case is drawn in capitals, anything else as '?')."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

GLYPH_WIDTH, GLYPH_HEIGHT = 5, 7

# Each glyph: seven rows of five pixels, '#' lit.
_GLYPHS = {
    "A": " ### |#   #|#   #|#####|#   #|#   #|#   #",
    "B": "#### |#   #|#   #|#### |#   #|#   #|#### ",
    "C": " ### |#   #|#    |#    |#    |#   #| ### ",
    "D": "#### |#   #|#   #|#   #|#   #|#   #|#### ",
    "E": "#####|#    |#    |#### |#    |#    |#####",
    "F": "#####|#    |#    |#### |#    |#    |#    ",
    "G": " ### |#   #|#    |# ###|#   #|#   #| ####",
    "H": "#   #|#   #|#   #|#####|#   #|#   #|#   #",
    "I": " ### |  #  |  #  |  #  |  #  |  #  | ### ",
    "J": "  ###|   # |   # |   # |   # |#  # | ##  ",
    "K": "#   #|#  # |# #  |##   |# #  |#  # |#   #",
    "L": "#    |#    |#    |#    |#    |#    |#####",
    "M": "#   #|## ##|# # #|# # #|#   #|#   #|#   #",
    "N": "#   #|##  #|# # #|#  ##|#   #|#   #|#   #",
    "O": " ### |#   #|#   #|#   #|#   #|#   #| ### ",
    "P": "#### |#   #|#   #|#### |#    |#    |#    ",
    "Q": " ### |#   #|#   #|#   #|# # #|#  # | ## #",
    "R": "#### |#   #|#   #|#### |# #  |#  # |#   #",
    "S": " ####|#    |#    | ### |    #|    #|#### ",
    "T": "#####|  #  |  #  |  #  |  #  |  #  |  #  ",
    "U": "#   #|#   #|#   #|#   #|#   #|#   #| ### ",
    "V": "#   #|#   #|#   #|#   #|#   #| # # |  #  ",
    "W": "#   #|#   #|#   #|# # #|# # #|# # #| # # ",
    "X": "#   #|#   #| # # |  #  | # # |#   #|#   #",
    "Y": "#   #|#   #| # # |  #  |  #  |  #  |  #  ",
    "Z": "#####|    #|   # |  #  | #   |#    |#####",
    "0": " ### |#   #|#  ##|# # #|##  #|#   #| ### ",
    "1": "  #  | ##  |  #  |  #  |  #  |  #  | ### ",
    "2": " ### |#   #|    #|   # |  #  | #   |#####",
    "3": "#####|   # |  #  |   # |    #|#   #| ### ",
    "4": "   # |  ## | # # |#  # |#####|   # |   # ",
    "5": "#####|#    |#### |    #|    #|#   #| ### ",
    "6": "  ## | #   |#    |#### |#   #|#   #| ### ",
    "7": "#####|    #|   # |  #  | #   | #   | #   ",
    "8": " ### |#   #|#   #| ### |#   #|#   #| ### ",
    "9": " ### |#   #|#   #| ####|    #|   # | ##  ",
    " ": "     |     |     |     |     |     |     ",
    "-": "     |     |     |#####|     |     |     ",
    "_": "     |     |     |     |     |     |#####",
    ".": "     |     |     |     |     | ##  | ##  ",
    "'": "  #  |  #  |     |     |     |     |     ",
    "?": " ### |#   #|    #|   # |  #  |     |  #  ",
}


@lru_cache(maxsize=64)
def _glyph(char: str) -> np.ndarray:
    rows = _GLYPHS.get(char.upper(), _GLYPHS["?"]).split("|")
    return np.array([[pixel == "#" for pixel in row] for row in rows], dtype=bool)


def text_mask(text: str, scale: int = 2) -> np.ndarray:
    """A boolean mask of `text` drawn at `scale` pixels per font pixel, one blank column between glyphs."""
    if not text:
        return np.zeros((GLYPH_HEIGHT * scale, 0), dtype=bool)
    columns = []
    for char in text:
        columns.append(_glyph(char))
        columns.append(np.zeros((GLYPH_HEIGHT, 1), dtype=bool))
    mask = np.concatenate(columns[:-1], axis=1)
    return mask.repeat(scale, axis=0).repeat(scale, axis=1)


def draw_text(
    canvas: np.ndarray, text: str, x: int, y: int, colour: tuple[int, int, int], scale: int
) -> None:
    """Paint `text` onto an RGB canvas with its top-left corner at (x, y), clipped to the canvas."""
    mask = text_mask(text, scale)
    height = min(mask.shape[0], canvas.shape[0] - y)
    width = min(mask.shape[1], canvas.shape[1] - x)
    if height <= 0 or width <= 0 or x < 0 or y < 0:
        return
    region = canvas[y : y + height, x : x + width]
    region[mask[:height, :width]] = colour


def text_width(text: str, scale: int) -> int:
    return max(0, len(text) * (GLYPH_WIDTH + 1) - 1) * scale
