"""The room detector's stages: small pure functions over arrays, named for what they return.

One module per concern, re-exported here:

- `pixels`: page pixels to grey levels and masks (ink, thin lines, page background, the
  grey fills of outlined walls);
- `walls`: the wall thickness and pen width read from the ink, the thick strokes, and the
  bold lettering among them;
- `openings`: doorways, windows and double doors closed along pixel rows and columns;
- `wall_ends`: free wall ends at any angle and the bridges between facing ends;
- `regions`: the outside, doorway necks, the room regions and their outlines;
- `morphology`: the mask operations they share.

Every length is measured in wall thicknesses (`thickness_px`, estimated from the plan by
`estimate_wall_thickness`), so the same stages work on a 600 px scan and a 24 MP drawing.
The recipe that chains them, top to bottom, is `detector.opencv_detector.trace_rooms`.
Masks are HxW bool arrays; the public stages refuse anything else with a TypeError.
"""

from .morphology import close_by_distance, disk, drop_small_components
from .openings import opening_bridges
from .pixels import (
    grey_percentiles,
    ink_mask,
    line_mask,
    outlined_wall_fill,
    page_background,
    to_grey8,
)
from .regions import Region, doorway_necks, offset_polygon, outside_mask, room_regions
from .wall_ends import WallEnds, facing_end_bridges, wall_ends
from .walls import (
    estimate_pen_width,
    estimate_wall_thickness,
    lettering,
    ridge_values,
    thick_strokes,
    walls_without_lettering,
)

__all__ = [
    "Region",
    "WallEnds",
    "close_by_distance",
    "disk",
    "doorway_necks",
    "drop_small_components",
    "estimate_pen_width",
    "estimate_wall_thickness",
    "facing_end_bridges",
    "grey_percentiles",
    "ink_mask",
    "lettering",
    "line_mask",
    "offset_polygon",
    "opening_bridges",
    "outlined_wall_fill",
    "outside_mask",
    "page_background",
    "ridge_values",
    "room_regions",
    "thick_strokes",
    "to_grey8",
    "wall_ends",
    "walls_without_lettering",
]
