"""Reading a plan's text: room names and types, stated sizes, the page's scale, real areas.

`read_page_text` is the stage the detector runs on each page after finding its rooms.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..config import DetectorConfig
from ..results import Room
from .ocr import recogniser
from .reading import PageText, Word, annotate_rooms, read_lines, room_at, room_index
from .scale import NO_SCALE, Scale, floor_of
from .scale_bar import scale_from_bar
from .split import read_second_names, split_by_labels
from .vocabulary import type_of_label

__all__ = ["PageText", "Scale", "Word", "read_page_text", "type_of_label"]


def read_page_text(
    grey: np.ndarray,
    rooms: Sequence[Room],
    config: DetectorConfig,
    *,
    words: list[Word] | None = None,
    scale: Scale | None = None,
) -> PageText:
    """The rooms of one page with their text fields, and the page's scale.

    `grey` is the page (uint8, paper white) the rooms were found on. `words` are the page's
    text objects when it has a text layer (a PDF): read exactly, no OCR. `scale` is a scale
    known otherwise (a PDF's printed 1:N); without it the rooms' stated sizes give it.
    """
    from ..stages import ink_mask

    complete = True
    bar = NO_SCALE
    ink = None
    if words is not None:
        index = room_index(grey.shape[:2], rooms)
        words = [
            replace(w, room=room_at(index, w.box[0] + w.box[2] / 2, w.box[1] + w.box[3] / 2))
            for w in words
        ]
    else:
        words = []
        if rooms:
            reader = recogniser()  # loaded once per process, before the page's clock starts
            t0 = time.thread_time()
            ink = ink_mask(grey, min_contrast=config.min_contrast)
            if scale is None or not scale.known:
                bar = scale_from_bar(grey, ink, reader)
            budget = max(0.0, config.text_budget_ms / 1e3 - (time.thread_time() - t0))
            unread: dict = {}
            words, complete = read_lines(
                grey, ink, rooms, budget_s=budget, recogniser=reader, unread=unread
            )
            if unread and config.splits_rooms:
                words = read_second_names(
                    grey,
                    ink,
                    rooms,
                    words,
                    unread,
                    reader,
                    neck_ratio=config.split_neck_ratio,
                    any_names=config.split_any_names,
                )
    if config.splits_rooms:
        split = split_by_labels(
            rooms,
            words,
            neck_ratio=config.split_neck_ratio,
            any_names=config.split_any_names,
            epsilon_factor=config.epsilon_factor,
        )
        rooms, words = split.rooms, split.words
    floors = None
    if rooms:
        if ink is None:
            ink = ink_mask(grey, min_contrast=config.min_contrast)
        floors = [floor_of(r.polygon, r.bbox, ink) for r in rooms]
    page = annotate_rooms(rooms, words, scale, bar, floors)
    return PageText(page.rooms, page.scale, page.words, complete)
