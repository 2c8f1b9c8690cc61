"""Room names -> types, abbreviations, garbage, and OCR slips corrected to the vocabulary."""

from __future__ import annotations

import json

import pytest

from detector.results import ROOM_TYPES, SCHEMA_PATH
from detector.text.vocabulary import correct_name, looks_like_name, type_of_label


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("BEDROOM", "bedroom"),
        ("Bedroom 2", "bedroom"),
        ("Master Bedroom", "bedroom"),
        ("BR", "bedroom"),
        ("SHOWER ROOM", "bathroom"),
        ("En-suite", "bathroom"),
        ("BA", "bathroom"),
        ("WC", "bathroom"),
        ("K", "kitchen"),
        ("Reception Room / Kitchen", "living"),
        ("LR", "living"),
        ("DR", "dining"),
        ("Entrance Hall", "hall"),
        ("W.I.C.", "closet"),
        ("Walk-in Closet", "closet"),
        ("CL", "closet"),
        ("Store", "closet"),
        ("Cupboard", "closet"),
        ("ROOF TERRACE", "balcony"),
        ("UTY", "utility"),
        ("Laundry", "utility"),
        ("Study", "office"),
        ("Garage", "garage"),
        ("Gym", "other"),
        ("Schlafzimmer", "bedroom"),
        ("Cuisine", "kitchen"),
    ],
)
def test_label_gives_type(label, expected):
    assert type_of_label(label) == expected


@pytest.mark.parametrize("label", [None, "", "FIRST FLOOR", "UP", "Kbr Ilil", "#%@!"])
def test_no_type_without_a_room_word(label):
    assert type_of_label(label) is None


def test_short_abbreviations_only_alone():
    # "K" or "BR" inside a longer line is a letter of something else, not a room
    assert type_of_label("Block K east") is None


@pytest.mark.parametrize("text", ["BEDROOM", "Reception Room/", "Gym", "Bedroom 2", "W.I.C."])
def test_names(text):
    assert looks_like_name(text)


@pytest.mark.parametrize("text", ["UP", "DN", "#%@!", "3.57 x 2.61", "xzqv", "§¤ ¤§", "12 34"])
def test_not_names(text):
    assert not looks_like_name(text)


@pytest.mark.parametrize(
    ("read", "written"),
    [
        ("Liviln Room", "Living Room"),
        ("eption", "Reception"),
        ("Both", "Bath"),
        ("droom", "Bedroom"),
        ("BEDROOM", "BEDROOM"),
        ("Gym", "Gym"),
        ("Recep dn", "Recep dn"),  # too far from any word: left as read
    ],
)
def test_ocr_slips_corrected(read, written):
    assert correct_name(read) == written


def test_types_are_the_schemas():
    schema = json.loads(SCHEMA_PATH.read_text())
    enum = schema["$defs"]["room"]["properties"]["type"]["enum"]
    assert tuple(t for t in enum if t is not None) == ROOM_TYPES
