"""The detector's configuration: one typed model, validated once.

`model/config.json` holds the shipped defaults; every field has a default here too, so an
absent file or key means "use the documented default". Unknown keys and out-of-range values
raise `ConfigError` naming the key. Lengths are never fixed pixel counts: they are fractions
of the plan or multiples of its measured wall thickness.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import ConfigError

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parent.parent / "config.json"


class DetectorConfig(BaseModel):
    """Every knob of the detector and of input decoding, with its default and unit."""

    # Strict: JSON's types as written. "yes" is not true, true is not 32, "32" is not 32.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    # --- room filtering (fractions of the page area, so independent of resolution) ---
    min_area: float = Field(
        0.001, gt=0, lt=1, description="Smallest room, as a fraction of the page's area."
    )
    max_area: float = Field(
        0.9, gt=0, le=1, description="Largest room, as a fraction of the page's area."
    )
    epsilon_factor: float = Field(
        0.004,
        ge=0,
        lt=0.1,
        description="Polygon simplification tolerance (cv2.approxPolyDP) as a fraction of "
        "the room's perimeter; 0 keeps every contour point.",
    )

    # --- working resolution (the plan is measured first, then normalised) ---
    max_working_wall_px: float = Field(
        12.0,
        ge=3,
        le=64,
        description="The plan is halved until its walls are thinner than this many pixels "
        "(the working resolution; plans are never enlarged).",
    )
    min_working_thin_wall_px: float = Field(
        3.0,
        ge=1,
        le=32,
        description="The plan is not halved further if its thinner walls (the 5 % of wall "
        "area with the thinnest strokes, text and thin lines left out) would get thinner "
        "than this many pixels.",
    )
    max_working_megapixels: float = Field(
        4.0,
        gt=0.05,
        le=100,
        description="Upper bound on the working image's size (megapixels), for speed and "
        "memory on very large pages.",
    )
    min_contrast: int = Field(
        32,
        ge=1,
        le=255,
        description="Grey levels between paper and ink below which a page is blank.",
    )

    # --- stages: every length is in wall thicknesses (t), measured on each plan ---
    min_wall_width: float = Field(
        0.5,
        gt=0,
        le=2,
        description="Strokes thinner than this (t) are not walls: text, dimension lines, "
        "door arcs, furniture, hatching, window lines.",
    )
    pen_to_wall: float = Field(
        1.5,
        gt=1,
        le=10,
        description="Walls are at least this many times as wide as the pen of the plan's "
        "text and thin lines (the most common stroke width); the smaller of this and "
        "min_wall_width decides what is a wall.",
    )
    hatch_fill: float = Field(
        1.0,
        ge=0,
        le=10,
        description="On plans whose walls are no thicker than their pen (hatched or "
        "outlined walls), ink is closed by this many pen widths to make the walls solid; "
        "0 turns it off.",
    )
    min_wall_area: float = Field(
        2.0,
        ge=0,
        le=100,
        description="Wall pieces with less area than this (t squared) are dropped (bold "
        "letters, arrows, dots).",
    )
    door_width: float = Field(
        2.0,
        gt=0,
        le=50,
        description="Widest gap (t) between a wall's free end and any next wall that is "
        "closed as a doorway whatever the spaces around it; wider doors are closed between "
        "facing ends of one wall (double_door_width) or, from a lone end, only where the gap "
        "is a constriction between two spaces (lone_end_width, doorway_depth_ratio), since "
        "a lone end reaching further mostly cuts across closets and corridors.",
    )
    double_door_width: float = Field(
        12.0,
        ge=0,
        le=100,
        description="Widest gap (t) between two facing ends of one wall, alike in thickness, "
        "that is closed as a doorway (double and sliding doors, wide openings); 0 turns "
        "it off.",
    )
    outlined_walls: bool = Field(
        True,
        description="On pages with a background colour (occupancy maps), fill walls drawn "
        "as two outlines with a light grey between them: bands of grey no wider than "
        "max_wall_end, held between ink (90 % of their rim), become ink.",
    )
    facing_ends: bool = Field(
        True,
        description="Also close gaps up to double_door_width between two wall ends that "
        "face each other at any angle (slanted, diagonal and ragged scanned walls), found "
        "as hairpins of the walls' outlines.",
    )
    closet_votes: float = Field(
        0.4,
        ge=0,
        le=1.01,
        description="A piece that thin lines cut off a room (a wardrobe, a closet) becomes a "
        "room of its own when at least this share of the closet forest's trees vote for it "
        "(detector/closets.json); above 1 turns it off. Below a half because a wrong piece "
        "costs PQ half what a right one gains (5-fold on R3D: 0.4 beat 0.45 and 0.5).",
    )
    lone_end_width: float = Field(
        12.0,
        ge=0,
        le=100,
        description="Widest gap (t) from a lone wall end, at any angle, to the wall it points "
        "at that may be closed as a doorway when it is also narrow beside the spaces it "
        "joins (doorway_depth_ratio); 0 turns it off.",
    )
    doorway_depth_ratio: float = Field(
        0.5,
        gt=0,
        le=10,
        description="A lone end's gap is a doorway only if it is at most this fraction of "
        "the free depth across it on both sides (a door is narrow beside its rooms).",
    )
    jamb_match: float = Field(
        1.5,
        ge=1,
        le=10,
        description="Two facing wall ends are ends of one wall when neither is more than "
        "this many times as thick as the other.",
    )
    window_width: float = Field(
        25.0,
        gt=0,
        le=200,
        description="Widest gap (t) between a wall's free end and the next wall that is "
        "closed when thin lines span all of it (a window).",
    )
    window_lines: int = Field(
        2,
        ge=1,
        le=10,
        description="A window is drawn with at least this many separate lines across the "
        "wall's band (glazing between its faces); a single line continuing a wall end is "
        "a furniture or fitting edge, unless the far side is the facing end of the same wall.",
    )
    min_line_length: float = Field(
        2.0,
        ge=0,
        le=100,
        description="Thin marks with fewer pixels than this many wall thicknesses are "
        "specks (scan or JPEG noise), not lines.",
    )
    line_tolerance: float = Field(
        0.5,
        ge=0,
        le=5,
        description="How far (t) a window's lines may stray from the straight path between "
        "two wall ends (slanted or offset drawing) and still count as spanning the gap, on "
        "plans whose walls are pen strokes (hatched, outlined, scanned); on plans with solid "
        "walls the lines must lie on the path, or a gap running beside any parallel thin "
        "line (a worktop, a bath's edge, text) would count as a window.",
    )
    max_outside_contact: float = Field(
        0.3,
        ge=0,
        le=1,
        description="A region with more of its rim than this fraction on the outside is a "
        "notch of the outside cut off by sealing, not a room.",
    )
    terrace_wall_contact: float = Field(
        0.25,
        ge=0,
        le=1,
        description="A region fenced off from the outside only by drawn lines (a terrace's "
        "or balcony's outline) is a room when at least this fraction of its rim is on walls "
        "(attached to the building); 1 turns terraces off.",
    )
    min_terrace_area: float = Field(
        100.0,
        ge=0,
        le=10000,
        description="Such a terrace must also be at least this big (t squared); smaller "
        "line-fenced regions are text boxes, symbols and slots between lines.",
    )
    min_room_width: float = Field(
        1.5,
        ge=0,
        le=50,
        description="A room must hold a disk this wide (t); narrower regions are slots "
        "between a window's lines or inside wall outlines.",
    )
    neck_width: float = Field(
        6.0,
        ge=0,
        le=50,
        description="Free passages narrower than this (t) between two room bodies are "
        "doorways and split the rooms (0 turns the stage off).",
    )
    max_wall_end: float = Field(
        2.5,
        gt=0,
        le=10,
        description="A wall end thicker than this (t) is a corner's face, not a jamb.",
    )
    seal_width: float = Field(
        4.0,
        ge=0,
        le=50,
        description="Gaps in the outer wall up to this width (t) (windows, bays) are sealed "
        "before the outside is flooded from the page border.",
    )

    # --- reading the plan's text: room names, sizes, the scale ---
    read_text: bool = Field(
        True,
        description="Read the text inside rooms (names and stated sizes) to give each room "
        "its label, type and dimensions, and the page its scale and the rooms' real areas; "
        "false leaves those fields null and costs nothing.",
    )
    split_neck_ratio: float = Field(
        0.8,
        ge=0,
        le=10,
        description="A region holding two rooms' names (blocks of name words apart) is split "
        "by a watershed seeded at the names when the cut is at most this share of the "
        "narrower piece's inscribed width (a narrowing: the stubs of an opened wall); 0 never "
        "splits on a narrowing (detector/text/split.py).",
    )
    split_any_names: bool = Field(
        False,
        description="Also split such a region with no narrowing when the two names are never "
        "one room (bedroom and bath; kitchen, living, dining and hall may be one).",
    )
    text_budget_ms: float = Field(
        3000.0,
        ge=0,
        le=60_000,
        description="Most CPU time (ms, of the thread reading the page) spent reading one "
        "page's text; lines not read by then are left unread (a page without text costs a "
        "few ms). CPU time, so the same page gives the same document on a busy machine.",
    )

    # --- input decoding and safety limits ---
    pdf_dpi: int = Field(150, ge=36, le=600, description="Rasterisation DPI for PDF pages.")
    max_pixels: int = Field(
        60_000_000,
        ge=10_000,
        le=250_000_000,
        description="Largest page (width x height) accepted; bigger inputs are refused "
        "before decoding (decompression-bomb guard).",
    )
    max_pdf_render_s: float = Field(
        10.0,
        gt=0,
        le=600,
        description="Most seconds spent rendering one PDF's pages; a PDF that needs more (its "
        "drawing too complex: hundreds of thousands of lines) is refused as a client error, "
        "since it would take as long every time.",
    )
    max_pages: int = Field(50, ge=1, le=1000, description="Most PDF pages processed.")
    max_total_pixels: int = Field(
        200_000_000,
        ge=10_000,
        le=1_000_000_000,
        description="Most pixels of all pages of one document together (multi-page TIFF "
        "and PDF); bigger documents are refused before their pages are decoded, so memory "
        "is bounded per document, not only per page.",
    )
    min_side_px: int = Field(
        32,
        ge=1,
        le=10_000,
        description="Smallest width or height accepted (smaller cannot hold a plan).",
    )

    @property
    def splits_rooms(self) -> bool:
        """Whether the text stage may split a region by its names (either rule on)."""
        return self.split_neck_ratio > 0 or self.split_any_names

    @model_validator(mode="after")
    def _area_range(self) -> DetectorConfig:
        if self.min_area >= self.max_area:
            raise ValueError("min_area must be smaller than max_area")
        return self


def _describe(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"]) or "<config>"
        if e["type"] == "extra_forbidden":
            parts.append(f"unknown config key '{key}'")
        else:
            parts.append(f"config key '{key}': {e['msg']}")
    return "; ".join(parts)


def config_from_dict(data: dict[str, Any]) -> DetectorConfig:
    """Validate a mapping into a `DetectorConfig`; raises `ConfigError` naming the key."""
    if not isinstance(data, dict):
        raise ConfigError(f"config must be a JSON object, got {type(data).__name__}")
    try:
        return DetectorConfig(**data)
    except ValidationError as err:
        raise ConfigError(_describe(err)) from err


def load_config(path: str | Path | None = None) -> DetectorConfig:
    """Read a JSON config file (default: the shipped `model/config.json`, if present)."""
    if path is None:
        if not DEFAULT_CONFIG_PATH.is_file():
            return DetectorConfig()
        path = DEFAULT_CONFIG_PATH
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ConfigError(f"config file not found: {path}") from err
    except IsADirectoryError as err:
        raise ConfigError(f"config file {path} is a directory, not a JSON file") from err
    except OSError as err:
        raise ConfigError(f"config file {path} cannot be read: {err.strerror or err}") from err
    except UnicodeDecodeError as err:
        raise ConfigError(
            f"config file {path} is not UTF-8 text (byte {err.start}: {err.reason}); "
            "save it as UTF-8"
        ) from err
    except (json.JSONDecodeError, RecursionError) as err:
        raise ConfigError(f"config file {path} is not valid JSON: {err}") from err
    return config_from_dict(data)
