"""One self-contained HTML page over a batch of results documents.

Every picture is inlined (a JPEG thumbnail of the overlay as a `data:` URI) and a Content
Security Policy forbids the page any other request, so it opens offline, from an e-mail or a
USB stick, exactly as it was written. Per plan: the overlay, the room count, a table of the
rooms (id, area, label and type where there are, confidence), the error of a failed plan, timings.
"""

from __future__ import annotations

import base64
import html
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .results import SchemaValidationError, validate_document

log = logging.getLogger(__name__)

THUMB_MAX_WIDTH_PX = 720
THUMB_JPEG_QUALITY = 80
# The page may use what it carries and nothing else: no network, no CDN, no fonts.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

# Returns a plan's bytes from its `source.uri`, or None where it cannot be had.
Fetch = Callable[[str], bytes | None]


@dataclass(frozen=True)
class Entry:
    """One results document in the report, with its overlay (first page) if one was found."""

    name: str
    doc: dict[str, Any]
    overlay: np.ndarray | None = None
    note: str | None = None  # why there is no picture


def load_document(text: str | bytes, name: str) -> dict[str, Any] | None:
    """The results document in `text`, or None (logged) if it is not one."""
    try:
        doc = json.loads(text)
        validate_document(doc)
    except (ValueError, SchemaValidationError) as err:
        log.warning("%s: not a results document (%s): skipped", name, err)
        return None
    return dict(doc)


def entry_for(
    name: str, doc: dict[str, Any], config: Any, overlay_file: Path | None, fetch: Fetch | None
) -> Entry:
    """The report's entry for one document: the overlay PNG beside it if there is one, else the
    overlay drawn from the plan at `source.uri` (through `fetch`), else no picture."""
    import cv2

    if doc["status"] != "succeeded":
        return Entry(name, doc)
    if overlay_file is not None:
        image = cv2.imread(str(overlay_file), cv2.IMREAD_COLOR)
        if image is not None:
            return Entry(name, doc, image)
    uri = doc["source"].get("uri")
    data = fetch(uri) if (fetch and uri) else None
    if data is None:
        return Entry(name, doc, note="the plan itself is not at hand: no overlay")
    from .errors import DetectorError
    from .overlay import document_overlays

    try:
        pages = document_overlays(data, doc, config, doc["source"].get("content_type"))
    except (DetectorError, ValueError) as err:
        return Entry(name, doc, note=f"no overlay: {err}")
    return Entry(name, doc, pages[0])


def local_fetch(uri: str) -> bytes | None:
    """A plan named by a local path (the CLI writes `source.uri` as the path it read)."""
    path = Path(uri)
    return path.read_bytes() if "://" not in uri and path.is_file() else None


def collect_folder(folder: Path, config: Any, fetch: Fetch | None = local_fetch) -> list[Entry]:
    """Every results document under `folder` (`*.json`, any depth), sorted by path, each with
    the `<stem>.overlay.png` (or `<stem>.page1.overlay.png`) written beside it by `detect`."""
    entries = []
    for path in sorted(folder.rglob("*.json")):
        name = path.relative_to(folder).as_posix()
        doc = load_document(path.read_bytes(), name)
        if doc is None:
            continue
        overlay = next(
            (
                p
                for p in (
                    path.with_name(f"{path.stem}.overlay.png"),
                    path.with_name(f"{path.stem}.page1.overlay.png"),
                )
                if p.is_file()
            ),
            None,
        )
        entries.append(entry_for(name, doc, config, overlay, fetch))
    return entries


def collect_s3(
    s3: Any, bucket: str, prefix: str, config: Any, fetch: Fetch | None = None
) -> list[Entry]:
    """Every results document under `s3://bucket/prefix` (ListObjectsV2, paginated)."""
    entries = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            if not obj["Key"].endswith(".json"):
                continue
            body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
            doc = load_document(body, obj["Key"])
            if doc is not None:
                entries.append(entry_for(obj["Key"], doc, config, None, fetch))
    return entries


# --------------------------------------------------------------------------- HTML
def thumbnail_uri(image: np.ndarray, max_width: int = THUMB_MAX_WIDTH_PX) -> str:
    """A `data:image/jpeg` URI of the image, at most `max_width` px wide."""
    import cv2

    h, w = image.shape[:2]
    if w > max_width:
        image = cv2.resize(image, (max_width, max(1, round(h * max_width / w))), cv2.INTER_AREA)
    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, THUMB_JPEG_QUALITY])
    if not ok:
        raise ValueError("could not encode the thumbnail")
    return "data:image/jpeg;base64," + base64.b64encode(jpeg.tobytes()).decode("ascii")


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _num(value: Any, digits: int = 0) -> str:
    return "" if value is None else f"{float(value):,.{digits}f}"


def _timings(doc: Mapping[str, Any]) -> str:
    parts = [f"{k} {_num(v, 1)} ms" for k, v in (doc.get("timings_ms") or {}).items()]
    inference = doc.get("inference") or {}
    parts += [f"{k} {_num(v, 2)} s" for k, v in (inference.get("timings_s") or {}).items()]
    if inference.get("attempts"):
        parts.append(f"attempts {inference['attempts']}")
    return ", ".join(parts)


def _room_rows(doc: Mapping[str, Any]) -> tuple[str, bool, bool, bool]:
    """The rows of the room table; whether any room has an area in m², a label, a type."""
    rows, metric, labelled, typed = [], False, False, False
    pages = doc.get("pages", [])
    for page in pages:
        for n, room in enumerate(page["rooms"], start=1):
            m2 = room.get("area_m2")
            metric = metric or m2 is not None
            labelled = labelled or bool(room.get("label"))
            typed = typed or bool(room.get("type"))
            where = f"{page['index'] + 1}." if len(pages) > 1 else ""
            rows.append(
                f'<tr class="room"><td>{where}{n}</td><td><code>{_e(room["id"])}</code></td>'
                f'<td class="n">{_num(room["area_px"])}</td>'
                f'<td class="n m2">{_num(m2, 1)}</td>'
                f'<td class="label">{_e(room.get("label") or "")}</td>'
                f'<td class="type">{_e(room.get("type") or "")}</td>'
                f'<td class="n">{_num(room["confidence"], 2)}</td></tr>'
            )
    return "\n".join(rows), metric, labelled, typed


def _plan_section(entry: Entry) -> str:
    doc = entry.doc
    src = doc.get("source", {})
    status = doc["status"]
    head = (
        f'<h2><span class="badge {_e(status)}">{_e(status)}</span> {_e(entry.name)}</h2>'
        f'<p class="src">{_e(src.get("uri") or src.get("name", ""))}'
        + (f" &middot; {_num(src['bytes'])} bytes" if src.get("bytes") else "")
        + "</p>"
    )
    if status != "succeeded":
        err = doc.get("error", {})
        body = (
            f'<div class="error"><b>{_e(err.get("type", "error"))}</b>: '
            f"{_e(err.get('message', ''))}<br><small>retryable: "
            f"{'yes' if err.get('retryable') else 'no (bad input: fix the plan)'}</small></div>"
        )
    else:
        picture = (
            f'<img class="thumb" alt="overlay of {_e(entry.name)}" '
            f'src="{thumbnail_uri(entry.overlay)}">'
            if entry.overlay is not None
            else f'<p class="note">{_e(entry.note or "no overlay")}</p>'
        )
        rows, metric, labelled, typed = _room_rows(doc)
        hidden = (
            ("" if metric else " nometric")
            + ("" if labelled else " nolabel")
            + ("" if typed else " notype")
        )
        pages = doc.get("pages", [])
        size = ", ".join(f"{p['width']} &times; {p['height']} px" for p in pages)
        body = (
            f'<div class="pic">{picture}</div><div class="facts">'
            f'<p><b class="rooms">{doc["room_count"]}</b> rooms on {len(pages)} '
            f"page{'s' if len(pages) != 1 else ''} ({size})</p>"
            f'<table class="rooms{hidden}"><thead><tr><th>#</th>'
            '<th>id</th><th>area px</th><th class="m2">area m²</th><th class="label">label</th>'
            '<th class="type">type</th>'
            f"<th>confidence</th></tr></thead><tbody>{rows}</tbody></table></div>"
        )
    timings = _timings(doc)
    foot = f'<p class="timings">timings: {_e(timings)}</p>' if timings else ""
    return (
        f'<section class="plan" data-status="{_e(status)}" data-rooms="'
        f'{doc.get("room_count", 0)}">{head}{body}{foot}</section>'
    )


_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:1.4em;margin:0 0 .2em} h2{font-size:1.1em;margin:.2em 0}
.summary{margin:0 0 1.2em;color:#444}
.plan{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.8em 1em;margin:0 0 1em;
 display:grid;grid-template-columns:1fr;gap:.3em}
.pic img{max-width:100%;height:auto;border:1px solid #ccc}
.badge{font-size:.75em;padding:.1em .5em;border-radius:3px;color:#fff;vertical-align:middle}
.badge.succeeded{background:#2e7d32} .badge.failed{background:#c62828}
.error{background:#fdecea;border-left:4px solid #c62828;padding:.5em .8em}
.src,.note,.timings{color:#666;margin:0;font-size:.9em}
table{border-collapse:collapse;font-size:.9em}
td,th{padding:.15em .6em;border-bottom:1px solid #eee}
td.n{text-align:right;font-variant-numeric:tabular-nums} th{text-align:left}
table.nometric .m2,table.nolabel .label,table.notype .type{display:none}
@media(min-width:1100px){.plan:has(.pic){grid-template-columns:minmax(0,3fr) minmax(0,2fr)}
 .plan h2,.plan .src,.plan .timings{grid-column:1/-1}}
"""

# Counts the pictures the browser actually decoded (a check for the page's own tests and for
# a reader: "3 of 3 pictures shown").
_SCRIPT = """
window.addEventListener('load',function(){var imgs=document.querySelectorAll('img.thumb'),n=0;
imgs.forEach(function(i){if(i.complete&&i.naturalWidth>0)n++;});
document.body.dataset.imagesLoaded=n;
document.getElementById('shown').textContent=n+' of '+imgs.length+' pictures shown';});
"""


def render_html(entries: Iterable[Entry], title: str, *, generated: datetime | None = None) -> str:
    """The report page (a string of HTML5, UTF-8, nothing external)."""
    entries = list(entries)
    ok = [e for e in entries if e.doc["status"] == "succeeded"]
    rooms = sum(int(e.doc.get("room_count", 0)) for e in ok)
    when = (generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    summary = (
        f'<p class="summary"><b id="plan-count">{len(entries)}</b> plans: {len(ok)} '
        f"succeeded, {len(entries) - len(ok)} failed; {rooms} rooms found. "
        f'Generated {when}. <span id="shown"></span></p>'
    )
    sections = "\n".join(_plan_section(e) for e in entries)
    return (
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head>\n"
        f"<body><h1>{_e(title)}</h1>{summary}\n{sections}\n"
        f"<script>{_SCRIPT}</script></body></html>\n"
    )
