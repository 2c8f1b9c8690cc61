"""Input checks of the public stages: a wrong array type fails loudly, never silently wrong.

A 0/255 uint8 image passed where a bool mask is expected would be read through
`mask.view(np.uint8)` and `~mask` as something else entirely (`~255` is 0, `~0` is 255), so
the stages refuse it. The checks look at dtype and shape only: no pass over the pixels.
"""

from __future__ import annotations

import numpy as np


def require_mask(mask: np.ndarray, name: str = "mask") -> None:
    """Raise TypeError unless `mask` is a 2-D bool array."""
    if not isinstance(mask, np.ndarray) or mask.dtype != bool:
        kind = mask.dtype if isinstance(mask, np.ndarray) else type(mask).__name__
        raise TypeError(f"{name} must be a bool mask, not {kind} (use `mask > 0`)")
    if mask.ndim != 2:
        raise TypeError(f"{name} must be 2-D (H x W), not {mask.ndim}-D")


def require_grey8(grey: np.ndarray, name: str = "grey") -> None:
    """Raise TypeError unless `grey` is a 2-D uint8 image (see `to_grey8`)."""
    if not isinstance(grey, np.ndarray) or grey.dtype != np.uint8 or grey.ndim != 2:
        what = f"{grey.dtype} {grey.ndim}-D" if isinstance(grey, np.ndarray) else type(grey)
        raise TypeError(f"{name} must be a 2-D uint8 grey image, not {what} (see to_grey8)")
