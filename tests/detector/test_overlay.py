import numpy as np
import pytest

from detector.overlay import render_overlay, room_color
from detector.results import Room


def _room(i: int, x0: int, y0: int, x1: int, y1: int) -> Room:
    poly = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
    area = float((x1 - x0) * (y1 - y0))
    return Room(
        id=f"room-{i:03d}",
        polygon=[[float(x), float(y)] for x, y in poly],
        bbox=[float(x0), float(y0), float(x1 - x0), float(y1 - y0)],
        area_px=area,
        area_fraction=area / (300 * 400),
        centroid=[(x0 + x1) / 2, (y0 + y1) / 2],
        perimeter_px=2.0 * ((x1 - x0) + (y1 - y0)),
        confidence=0.9,
    )


ROOMS = [_room(1, 20, 20, 180, 140), _room(2, 220, 20, 380, 280)]


@pytest.mark.parametrize("channels", [1, 3])
def test_same_size_bgr_uint8(channels):
    page = np.full((300, 400), 255, np.uint8)
    if channels == 3:
        page = np.dstack([page] * 3)
    out = render_overlay(page, ROOMS)
    assert out.shape == (300, 400, 3) and out.dtype == np.uint8
    assert page.min() == 255  # the input is not drawn on


def test_rooms_are_tinted_in_their_own_colours_and_the_rest_is_untouched():
    page = np.full((300, 400), 255, np.uint8)
    out = render_overlay(page, ROOMS)
    a, b = out[40, 40].astype(int), out[250, 240].astype(int)  # inside, away from the number
    assert (a != 255).any() and (b != 255).any()
    assert np.abs(a - b).sum() > 30
    assert (out[290, 10] == 255).all()  # outside every room: the plan as it was
    # the fill points towards each room's colour
    for px, i in ((a, 0), (b, 1)):
        assert int(np.argmin(px)) == int(np.argmin(room_color(i)))


def test_json_rooms_render_like_room_objects():
    from dataclasses import asdict

    page = np.full((300, 400, 3), 255, np.uint8)
    assert np.array_equal(
        render_overlay(page, ROOMS), render_overlay(page, [asdict(r) for r in ROOMS])
    )


def test_no_rooms_is_the_plan_in_colour():
    page = (np.arange(300 * 400) % 251).astype(np.uint8).reshape(300, 400)
    out = render_overlay(page, [])
    assert np.array_equal(out[..., 0], page) and np.array_equal(out[..., 2], page)


def test_colours_are_distinct():
    colours = [room_color(i) for i in range(24)]
    for i, c in enumerate(colours):
        for d in colours[i + 1 : i + 4]:  # neighbours in numbering differ clearly
            assert sum(abs(x - y) for x, y in zip(c, d, strict=True)) > 60


def test_named_rooms_carry_their_name_and_area():
    from dataclasses import replace

    from detector.overlay import room_caption

    named = replace(ROOMS[0], label="Bedroom", type="bedroom", area_m2=12.44, area_ft2=133.9)
    assert room_caption(0, named) == ["1 Bedroom", "12.4 m2 / 134 ft2"]
    assert room_caption(1, ROOMS[1]) == ["2"]  # no name, no scale: the number alone
    assert room_caption(2, {"label": "Séjour", "area_m2": None}) == ["3 S?jour"]
    page = np.full((300, 400), 255, np.uint8)
    plain, captioned = render_overlay(page, ROOMS), render_overlay(page, [named, ROOMS[1]])
    # the caption's tag is wider than the number's: more of the room is written on
    assert (captioned[40:140, 20:180] < 100).sum() > (plain[40:140, 20:180] < 100).sum()


def test_a_caption_stays_inside_a_narrow_room():
    # A long name on a room much narrower than it: the tag shrinks to the room, so it does
    # not cover the neighbours' names (it was drawn at the page's font size before).
    from dataclasses import replace

    page = np.full((600, 800), 255, np.uint8)
    narrow = replace(_room(1, 300, 100, 380, 500), label="Living", area_m2=7.44, area_ft2=80.1)
    out = render_overlay(page, [narrow])
    outside = np.ones(page.shape, bool)
    outside[97:504, 297:384] = False  # the room's box and its outline
    assert (out[outside] == 255).all()  # nothing written on the page around the room
    assert (out[100:500, 300:380] < 100).any()  # the caption is there


def test_a_room_too_small_for_its_area_shows_its_number_and_name():
    from dataclasses import replace

    from detector.overlay import MIN_FONT_SCALE, _fitted, room_caption

    tiny = replace(_room(1, 10, 10, 60, 30), label="WC", area_m2=1.0, area_ft2=10.8)
    lines = room_caption(0, tiny)
    assert _fitted(lines, 0, 1.0, 50, 20)[0] is None  # two lines do not fit 20 px
    scale, _ = _fitted(lines[:1], 0, 1.0, 50, 20)
    assert scale is not None and scale >= MIN_FONT_SCALE
