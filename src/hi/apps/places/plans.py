"""Floor plans: checking and sanitizing what people upload, and the placements of entities on a plan.

An SVG goes through svg-hush (``py-svg-hush``, the Rust sanitizer built for serving untrusted SVG): it drops
scripts, event-handler attributes, ``javascript:`` links, ``foreignObject`` and external references. A second,
structural pass over the cleaned tree keeps only same-document (``#id``) and ``data:image`` references and
drops style sheets that still load anything, so nothing on the plan reaches outside the hub. Plans are then
shown through ``<img>`` and served with a CSP that forbids everything, so even a sanitizer bug cannot run code.
PNG and JPEG are checked (and measured) with Pillow.
"""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
from typing import Any

from django.db import transaction
from django.http import HttpResponse

from hi.apps.entity.models import Entity

from .models import FloorPlan, Location, Placement, PlacementShape, PlanFormat
from .operations import PlaceError, find_location
from .tree import LocationTree

MAX_PLAN_BYTES = 10 * 1024 * 1024
MAX_PLACEMENTS = 2000
MAX_POLYGON_POINTS = 200
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_HREFS = ("href", f"{{{XLINK_NS}}}href")
_NUMBER = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(px)?\s*$")
_FOREIGN_URL = re.compile(r"url\((?!['\"]?#)")
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)


class PlanError(PlaceError):
    """The upload or the placements cannot be used; the message says why."""


def _length(text: str | None) -> float | None:
    match = _NUMBER.match(text or "")
    return float(match.group(1)) if match else None


def _svg_size(root: ET.Element) -> tuple[float, float]:
    """The drawing's own units: the viewBox when it has one, else width/height, else 1000 by 1000."""
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        try:
            width, height = float(box[2]), float(box[3])
        except ValueError:
            width = height = 0.0
        if width > 0 and height > 0:
            return width, height
    width, height = _length(root.get("width")), _length(root.get("height"))
    if width and height:
        return width, height
    return 1000.0, 1000.0


def _safe_reference(value: str) -> bool:
    value = value.strip()
    return value.startswith("#") or value.lower().startswith(("data:image/png", "data:image/jpeg", "data:image/gif"))


def _css_loads_anything(css: str) -> bool:
    """True when CSS imports or points ``url()`` at anything but an element of the same drawing."""
    compact = "".join(css.split()).lower()
    return "@import" in compact or _FOREIGN_URL.search(compact) is not None


def sanitize_svg(data: bytes) -> tuple[bytes, float, float]:
    """Sanitized SVG bytes and the drawing's width and height; PlanError when it is not a usable SVG."""
    from py_svg_hush import filter_svg

    try:
        cleaned = filter_svg(data)
    except ValueError as exc:
        raise PlanError("the file is not a valid SVG drawing (the XML could not be read)") from exc
    if b"<!DOCTYPE" in cleaned or b"<!ENTITY" in cleaned:
        raise PlanError("the SVG declares a document type; save it without one")
    try:
        root = ET.fromstring(cleaned)
    except ET.ParseError as exc:
        raise PlanError("the file is not a valid SVG drawing") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise PlanError("the file is not an SVG drawing (its root element is not <svg>)")
    for parent in root.iter():
        for child in list(parent):
            if child.tag == f"{{{SVG_NS}}}style" and _css_loads_anything(child.text or ""):
                parent.remove(child)
        for name in _HREFS:
            if name in parent.attrib and not _safe_reference(parent.attrib[name]):
                del parent.attrib[name]
        if _css_loads_anything(parent.get("style") or ""):
            del parent.attrib["style"]
    width, height = _svg_size(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True), width, height


def read_raster(data: bytes) -> tuple[str, float, float]:
    """(format, width, height) of a PNG or JPEG; PlanError for anything else or a damaged file."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = (image.format or "").upper()
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise PlanError("the file is neither an SVG drawing nor a readable PNG or JPEG image") from exc
    formats = {"PNG": PlanFormat.PNG, "JPEG": PlanFormat.JPEG}
    if kind not in formats:
        raise PlanError(f"{kind or 'this'} images are not supported; use SVG, PNG or JPEG")
    return formats[kind], float(width), float(height)


def _looks_like_svg(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--")) or b"<svg" in head


@transaction.atomic
def save_plan(location_ref: str | int | Location, data: bytes, fade_seconds: int | None = None) -> FloorPlan:
    """Store (or replace) the drawing of a place; existing placements stay where they were."""
    location = location_ref if isinstance(location_ref, Location) else find_location(location_ref)
    if not data:
        raise PlanError("the file is empty")
    if len(data) > MAX_PLAN_BYTES:
        raise PlanError(f"the file is larger than {MAX_PLAN_BYTES // (1024 * 1024)} MB")
    if _looks_like_svg(data):
        content, width, height = sanitize_svg(data)
        kind = PlanFormat.SVG
    else:
        kind, width, height = read_raster(data)
        content = data
    plan = FloorPlan.objects.filter(location=location).first() or FloorPlan(location=location)
    plan.format, plan.data, plan.width, plan.height = kind, content, width, height
    if fade_seconds is not None:
        plan.fade_seconds = _fade(fade_seconds)
    plan.save()
    return plan


def _fade(value: Any) -> int:
    try:
        seconds = int(value)
    except (TypeError, ValueError) as exc:
        raise PlanError("fade_seconds must be a whole number of seconds") from exc
    if not 10 <= seconds <= 3600:
        raise PlanError("fade_seconds must be between 10 and 3600")
    return seconds


def get_plan(location_ref: str | int | Location) -> FloorPlan:
    location = location_ref if isinstance(location_ref, Location) else find_location(location_ref)
    plan = FloorPlan.objects.filter(location=location).defer("data").first()
    if plan is None:
        from .operations import PlaceNotFound

        raise PlaceNotFound(f"{location.name!r} has no plan yet; upload one")
    return plan


def _number(item: dict[str, Any], key: str, default: float = 0.0) -> float:
    value = item.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PlanError(f"placement {key} must be a number")
    return float(value)


def _clean_placement(item: Any, plan: FloorPlan) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise PlanError("each placement must be an object")
    entity_id = item.get("entity_id")
    if isinstance(entity_id, bool) or not isinstance(entity_id, int):
        raise PlanError("each placement needs an entity_id (a number)")
    shape = item.get("shape", PlacementShape.ICON)
    if shape not in PlacementShape.values:
        raise PlanError("placement shape must be 'icon' or 'area'")
    clamp_x = lambda v: min(max(v, 0.0), plan.width)  # noqa: E731
    clamp_y = lambda v: min(max(v, 0.0), plan.height)  # noqa: E731
    row = {"entity_id": entity_id, "shape": shape, "x": clamp_x(_number(item, "x")), "y": clamp_y(_number(item, "y")),
           "size": min(max(_number(item, "size"), 0.0), max(plan.width, plan.height)),
           "rotation": _number(item, "rotation") % 360, "points": []}
    if shape == PlacementShape.AREA:
        points = item.get("points")
        if not isinstance(points, list) or not 3 <= len(points) <= MAX_POLYGON_POINTS:
            raise PlanError(f"an area needs 3 to {MAX_POLYGON_POINTS} points [[x, y], …]")
        cleaned = []
        for point in points:
            if not (isinstance(point, list | tuple) and len(point) == 2):
                raise PlanError("each area point must be [x, y]")
            x, y = _number({"v": point[0]}, "v"), _number({"v": point[1]}, "v")
            cleaned.append([round(clamp_x(x), 2), round(clamp_y(y), 2)])
        row["points"] = cleaned
        row["x"] = round(sum(p[0] for p in cleaned) / len(cleaned), 2)
        row["y"] = round(sum(p[1] for p in cleaned) / len(cleaned), 2)
    return row


@transaction.atomic
def set_placements(location_ref: str | int | Location, items: Any, fade_seconds: int | None = None) -> FloorPlan:
    """Replace the plan's placements with ``items`` (all or nothing: one bad item changes nothing)."""
    plan = get_plan(location_ref)
    if not isinstance(items, list):
        raise PlanError("placements must be a list")
    if len(items) > MAX_PLACEMENTS:
        raise PlanError(f"a plan holds at most {MAX_PLACEMENTS} placements")
    rows = [_clean_placement(item, plan) for item in items]
    ids = [row["entity_id"] for row in rows]
    if len(set(ids)) != len(ids):
        raise PlanError("an entity can be placed only once on a plan")
    missing = set(ids) - set(Entity.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if missing:
        raise PlanError(f"no entity with id {', '.join(str(i) for i in sorted(missing))}")
    Placement.objects.filter(plan=plan).delete()
    Placement.objects.bulk_create([Placement(plan=plan, **row) for row in rows])
    if fade_seconds is not None:
        plan.fade_seconds = _fade(fade_seconds)
    plan.save(update_fields=["fade_seconds", "updated_at"])
    return plan


def placement_json(placement: Placement) -> dict[str, Any]:
    return {"entity_id": placement.entity_id, "shape": placement.shape, "x": placement.x, "y": placement.y,
            "size": placement.size, "rotation": placement.rotation, "points": placement.points}


def plan_json(plan: FloorPlan, image_url: str = "") -> dict[str, Any]:
    tree = LocationTree.load()
    return {"location": tree.ref(plan.location_id), "format": plan.format, "width": plan.width,
            "height": plan.height, "fade_seconds": plan.fade_seconds, "image_url": image_url,
            "updated_at": plan.updated_at.isoformat() if plan.updated_at else None,
            "placements": [placement_json(p) for p in plan.placements.order_by("id")]}


@transaction.atomic
def delete_plan(location_ref: str | int | Location) -> None:
    get_plan(location_ref).delete()


def image_response(plan: FloorPlan) -> HttpResponse:
    """The drawing, with headers that forbid it to run or load anything even when opened on its own."""
    response = HttpResponse(bytes(plan.data), content_type=plan.content_type)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response
