"""Free wall ends at any angle, read from the walls' outlines, and the bridges between them."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ._checks import require_mask


@dataclass(frozen=True)
class WallEnds:
    """Free ends of walls, at any angle: tips (N x 2, x y), outward unit directions (N x 2)
    and the thickness of the wall at each end (N, px)."""

    tips: np.ndarray
    directions: np.ndarray
    widths: np.ndarray


def wall_ends(walls: np.ndarray, *, reach_px: float, max_end_px: float) -> WallEnds:
    """Where walls stop in free space, read from their outlines.

    Idea: walking along a wall's outline, a free end is a hairpin: the outline runs out
    along one face, turns round the end and comes back along the other face, so the points
    `reach_px` before and after the tip both lie back along the wall, close together (the
    wall's thickness apart, at most `max_end_px`) and in the same direction. The middle of
    each run of hairpin points is the tip; the direction from the two faces' midpoint to the
    tip is the wall's own direction, whatever its angle (scans, slanted and diagonal walls).
    Corners turn the outline by 90 degrees, not 180, so they are not ends.

    Parameters
    ----------
    walls : (H, W) bool ndarray
        The wall mask.
    reach_px : float
        How far along the outline, in px, each side of a tip is looked at.
    max_end_px : float
        Thickest wall, in px, whose end counts.

    Returns
    -------
    ends : WallEnds
        Tips (x y, px), outward unit directions and wall thicknesses (px).
    """
    require_mask(walls, "walls")
    k = max(2, round(reach_px))
    cs, _ = cv2.findContours(walls.view(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    cs = [c for c in cs if len(c) >= 2 * k + 1]
    tips, dirs, widths = [], [], []
    if cs:
        # every outline at once: the points k steps before and after each point
        sizes = np.array([len(c) for c in cs])
        first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        p = np.concatenate(cs).reshape(-1, 2).astype(np.float64)
        cid = np.repeat(np.arange(len(cs)), sizes)
        pos = np.arange(len(p)) - first[cid]
        prev = p[first[cid] + (pos - k) % sizes[cid]]
        nxt = p[first[cid] + (pos + k) % sizes[cid]]
        a, b = prev - p, nxt - p
        la, lb = np.hypot(a[:, 0], a[:, 1]), np.hypot(b[:, 0], b[:, 1])
        width = np.hypot(*(prev - nxt).T)
        back = (prev + nxt) / 2 - p
        lback = np.hypot(back[:, 0], back[:, 1])
        # both faces lie back along the wall: the two arms nearly parallel (within ~37
        # degrees), the wall there no thicker than an end, and long enough behind the tip
        pin = np.sum(a * b, axis=1) >= 0.8 * la * lb
        pin &= (width <= max_end_px) & (lback >= k / 2)
        for i in np.unique(cid[pin]):
            lo, n = first[i], sizes[i]
            f = pin[lo : lo + n]
            if f.all():
                continue  # a speck or a loop: no end
            # runs of hairpin points along the (cyclic) outline: the middle of each is a tip
            start = np.flatnonzero(~f)[0] + 1  # rotate so that no run wraps round
            order = (np.arange(n) + start) % n
            d = np.diff(np.concatenate([[0], f[order].astype(np.int8), [0]]))
            r0, r1 = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
            mid = lo + order[(r0 + r1 - 1) // 2]
            tips.append(p[mid])
            dirs.append(-back[mid] / lback[mid, None])
            widths.append(width[mid] + 1.0)  # pixel centres to pixel edges
    if not tips:
        z = np.zeros((0, 2))
        return WallEnds(z, z, np.zeros(0))
    return WallEnds(np.concatenate(tips), np.concatenate(dirs), np.concatenate(widths))


def facing_end_bridges(
    walls: np.ndarray,
    *,
    min_end_px: float,
    max_end_px: float,
    max_gap_px: float,
    jamb_match: float,
    max_angle_deg: float = 30.0,
    max_lone_gap_px: float = 0.0,
    depth_ratio: float = 0.5,
    bridges: np.ndarray | None = None,
) -> np.ndarray:
    """Bridges across gaps between two facing ends of one wall, at any angle.

    The row-and-column rays of `opening_bridges` need both ends on one pixel row; a scanned
    wall is ragged (its ends a pixel or two apart across the wall) and slanted or diagonal
    walls have no row at all. Here two ends of `wall_ends` are the two jambs of an opening
    in one wall when each points at the other (directions opposite within `max_angle_deg`,
    each tip within the other's wall band, across the line of the wall), they are alike in
    thickness (within `jamb_match` times), at most `max_gap_px` apart, the gap between
    them is free, and each is the other's nearest such end. The bridge is the wall band
    drawn from tip to tip. With `max_lone_gap_px`, an end left unpaired is bridged to the
    next wall ahead when that gap is a doorway (`_lone_end_rays`).

    Parameters
    ----------
    walls : (H, W) bool ndarray
        The wall mask.
    min_end_px, max_end_px : float
        Thinnest and thickest wall, in px, whose end is a jamb.
    max_gap_px : float
        Widest opening between facing ends, in px.
    jamb_match : float
        Ratio within which two facing ends are alike in thickness.
    max_angle_deg : float
        How far, in degrees, two facing ends may be from pointing straight at each other.
    max_lone_gap_px : float
        Widest doorway, in px, from an unpaired end to the next wall (0: none).
    depth_ratio : float
        A lone end's doorway must open into space at least gap / `depth_ratio` wide.
    bridges : (H, W) bool ndarray, optional
        Bridges already found, which bound the space a lone end's doorway opens into.

    Returns
    -------
    bridges : (H, W) bool ndarray
        The new bridge pixels, never on `walls`.
    """
    require_mask(walls, "walls")
    if bridges is not None:
        require_mask(bridges, "bridges")
    h, w = walls.shape
    out = np.zeros((h, w), np.uint8)
    ends = wall_ends(walls, reach_px=2 * max_end_px, max_end_px=max_end_px)
    p, u, wd = ends.tips, ends.directions, ends.widths
    ok = (wd >= min_end_px) & (wd <= max_end_px + 1)
    p, u, wd = p[ok], u[ok], wd[ok]
    n = len(p)
    best, best_dist = _facing_partners(p, u, wd, max_gap_px, jamb_match, max_angle_deg)
    paired = np.zeros(n, bool)
    for i in range(n):
        j = best[i]
        if j <= i or not np.isfinite(best_dist[i]) or best[j] != i:
            continue
        a, b = p[i], p[j]
        # the gap must be free: no wall between the tips (beyond their own pixels)
        gap = best_dist[i]
        m = max(2, int(np.ceil(gap)))
        s = np.linspace(0, 1, m + 1)[1:-1]
        xs = np.round(a[0] + s * (b[0] - a[0])).astype(int)
        ys = np.round(a[1] + s * (b[1] - a[1])).astype(int)
        inner = (s * gap > 1.5) & ((1 - s) * gap > 1.5)
        if walls[ys[inner], xs[inner]].any():
            continue
        thick = max(1, round(min(wd[i], wd[j])))
        cv2.line(
            out,
            tuple(int(c) for c in np.round(a)),
            tuple(int(c) for c in np.round(b)),
            1,
            thickness=thick,
        )
        paired[i] = paired[j] = True
    if max_lone_gap_px > 0:
        lone = ~paired
        barriers = walls if bridges is None else walls | bridges
        _lone_end_rays(
            out, walls, barriers, p[lone], u[lone], wd[lone], max_lone_gap_px, depth_ratio
        )
    return (out > 0) & ~walls


def _facing_partners(
    p: np.ndarray,
    u: np.ndarray,
    wd: np.ndarray,
    max_gap_px: float,
    jamb_match: float,
    max_angle_deg: float,
) -> tuple[np.ndarray, np.ndarray]:
    """For each end (tips `p`, directions `u`, widths `wd`), the nearest end facing it as
    the other jamb of one opening (see `facing_end_bridges`) and the distance to it (inf:
    none). Ends are taken in runs along x, each against the ends within reach of it only,
    so a page of thousands of ends (bold lettering, hatching) costs memory in proportion
    to them, not to their pairs."""
    n = len(p)
    best = np.zeros(n, np.int64)
    best_dist = np.full(n, np.inf)
    if n == 0:
        return best, best_dist
    cos = np.cos(np.radians(max_angle_deg))
    reach = float(np.hypot(max_gap_px, wd.max() + 1))  # no partner is farther
    order = np.argsort(p[:, 0], kind="stable")
    xs = p[order, 0]
    step = 64  # ends a run: its arrays are 64 x the ends within reach of it
    for k in range(0, n, step):
        rows = order[k : k + step]
        lo = np.searchsorted(xs, xs[k] - reach, "left")
        hi = np.searchsorted(xs, xs[min(n, k + step) - 1] + reach, "right")
        cols = np.sort(order[lo:hi])  # in index order: ties go to the lower index
        v = p[cols][None, :, :] - p[rows][:, None, :]  # from end i to end j
        pair = np.ones(v.shape[:2], bool)
        # i's wall points at j, and j's at i (along j's wall, v runs backwards)
        for ua, sign in ((u[rows][:, None, :], 1.0), (u[cols][None, :, :], -1.0)):
            along = sign * np.sum(v * ua, axis=2)
            across = np.abs(v[:, :, 0] * ua[..., 1] - v[:, :, 1] * ua[..., 0])
            band = (wd[rows][:, None] + wd[cols][None, :]) / 2 + 1
            pair &= (along > 0) & (along <= max_gap_px) & (across <= band)
        pair &= u[rows] @ u[cols].T <= -cos
        wr, wc = wd[rows][:, None], wd[cols][None, :]
        pair &= (wr <= jamb_match * wc) & (wc <= jamb_match * wr)
        dist = np.where(pair, np.linalg.norm(v, axis=2), np.inf)
        j = np.argmin(dist, axis=1)
        best[rows] = cols[j]
        best_dist[rows] = dist[np.arange(len(rows)), j]
    return best, best_dist


def _ray_pixels(
    walls: np.ndarray, p: np.ndarray, u: np.ndarray, length: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pixels 1..`length` px along unit `u` from each point `p` (N x 2, x y): the steps
    (px), and N x `length` masks of which are wall (off the page counts as wall) and which
    are on the page."""
    h, w = walls.shape
    s = np.arange(1, length + 1, dtype=np.float64)
    xs = np.round(p[:, None, 0] + s[None, :] * u[:, None, 0]).astype(np.int64)
    ys = np.round(p[:, None, 1] + s[None, :] * u[:, None, 1]).astype(np.int64)
    inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    wall = np.ones(xs.shape, bool)
    wall[inside] = walls[ys[inside], xs[inside]]
    return s, wall, inside


def _march(walls: np.ndarray, p: np.ndarray, u: np.ndarray, length: int) -> np.ndarray:
    """Distance (px) from each point `p` along unit `u` to the first wall pixel after the
    first free one, up to `length` (inf when none, or when the ray leaves the page)."""
    s, wall, inside = _ray_pixels(walls, p, u, length)
    freed = np.cumsum(~wall, axis=1) > 0
    hit = wall & freed
    first = np.where(hit.any(axis=1), np.argmax(hit, axis=1), -1)
    d = np.where(first >= 0, s[np.maximum(first, 0)], np.inf)
    out_of_page = ~inside & freed
    left = np.where(out_of_page.any(axis=1), np.argmax(out_of_page, axis=1), length)
    d[(first >= 0) & (left < first)] = np.inf
    return d


def _lone_end_rays(
    out: np.ndarray,
    walls: np.ndarray,
    barriers: np.ndarray,
    p: np.ndarray,
    u: np.ndarray,
    wd: np.ndarray,
    max_gap_px: float,
    depth_ratio: float,
) -> None:
    """Draw into `out` the rays from lone wall ends (tips `p`, directions `u`) to the next
    wall ahead, when that gap is a doorway: at most `max_gap_px`, and a constriction
    between two spaces. On each side, half the gap in from its middle, the space must be
    at least as deep as the gap (free across it up to `barriers`) and wider than it: its
    free width along the gap at least the gap / `depth_ratio`. A ray across a corridor or
    into a nook as wide as itself is not a doorway; a door into a room or a corridor is.
    """
    if len(p) == 0:
        return
    # three parallel rays across the end's band (a ragged wall's direction is read to a
    # few degrees): the gap is the nearest wall any of them meets
    length = int(np.ceil(max_gap_px))
    nrm = np.stack([-u[:, 1], u[:, 0]], axis=1)
    half = np.maximum(1.0, wd / 2)[:, None]
    m = len(p)
    starts = np.concatenate([p - half * nrm, p, p + half * nrm])
    rays = _march(walls, starts, np.concatenate([u, u, u]), length).reshape(3, m)
    g = np.min(rays, axis=0)
    off = np.argmin(rays, axis=0) - 1
    ok = np.isfinite(g)
    if not ok.any():
        return
    p, u, wd, g, off, half = p[ok], u[ok], wd[ok], g[ok], off[ok], half[ok]
    nrm = nrm[ok]
    hit = p + off[:, None] * half * nrm + u * g[:, None]
    mid = p + u * (g[:, None] / 2)
    need = g / depth_ratio
    reach = int(np.ceil(max(need.max(), g.max())))
    # on each side (+nrm, -nrm): the depth from the middle, and the width half a gap in
    q1, q2 = mid + nrm * (g[:, None] / 2), mid - nrm * (g[:, None] / 2)
    pts = np.concatenate([mid, mid, q1, q1, q2, q2])
    dirs = np.concatenate([nrm, -nrm, u, -u, u, -u])
    d = _march_free(barriers, pts, dirs, reach).reshape(6, -1)
    ok = (d[0] >= g) & (d[1] >= g)
    ok &= (d[2] + d[3] + 1 >= need) & (d[4] + d[5] + 1 >= need)
    for a, b, wi in zip(p[ok], hit[ok], wd[ok], strict=True):
        cv2.line(
            out,
            tuple(int(c) for c in np.round(a)),
            tuple(int(c) for c in np.round(b)),
            1,
            thickness=max(1, round(wi)),
        )


def _march_free(walls: np.ndarray, p: np.ndarray, u: np.ndarray, length: int) -> np.ndarray:
    """Free distance (px) from each point `p` along unit `u` to the first wall pixel (or
    the page's edge), up to `length` (then `length`)."""
    _, wall, _ = _ray_pixels(walls, p, u, length)
    first = np.where(wall.any(axis=1), np.argmax(wall, axis=1), length)
    return np.asarray(first, np.float64)
