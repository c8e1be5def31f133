"""Where things are: a tree of locations (home → floors → rooms/areas), their floor plans with the
entities placed on them, and user-defined collections of entities.

An entity points at one location (``Entity.location``); deleting a location never deletes entities.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower


class LocationKind(models.TextChoices):
    HOME = "home", "Home"
    FLOOR = "floor", "Floor"
    ROOM = "room", "Room"
    AREA = "area", "Area"


class Location(models.Model):
    """One node of the place tree; siblings are ordered by ``position`` then name."""

    name = models.CharField(max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    kind = models.CharField(max_length=16, choices=LocationKind.choices, default=LocationKind.ROOM)
    position = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name", "id"]
        constraints = [
            # Suggestions match names case-insensitively; the database refuses a duplicate under one parent.
            models.UniqueConstraint(Lower("name"), "parent", name="unique_location_name_per_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class PlanFormat(models.TextChoices):
    SVG = "svg", "SVG drawing"
    PNG = "png", "PNG image"
    JPEG = "jpeg", "JPEG image"


PLAN_CONTENT_TYPES = {PlanFormat.SVG: "image/svg+xml", PlanFormat.PNG: "image/png", PlanFormat.JPEG: "image/jpeg"}


class FloorPlan(models.Model):
    """The drawing of one floor or room: sanitized SVG or a raster image, kept in the database.

    ``width``/``height`` are the drawing's own units; placements use the same coordinate system, so
    they stay put however large the plan is shown.
    """

    location = models.OneToOneField(Location, on_delete=models.CASCADE, related_name="plan")
    format = models.CharField(max_length=8, choices=PlanFormat.choices)
    data = models.BinaryField()
    width = models.FloatField()
    height = models.FloatField()
    fade_seconds = models.PositiveIntegerField(default=300, help_text="how long motion and doors fade after activity")
    updated_at = models.DateTimeField(auto_now=True)

    @property
    def content_type(self) -> str:
        return PLAN_CONTENT_TYPES[PlanFormat(self.format)]

    def __str__(self) -> str:
        return f"plan of {self.location.name}"


class PlacementShape(models.TextChoices):
    ICON = "icon", "Icon"
    AREA = "area", "Area"


class Placement(models.Model):
    """An entity drawn on a plan: an icon at (x, y) with a size and rotation, or a polygon area."""

    plan = models.ForeignKey(FloorPlan, on_delete=models.CASCADE, related_name="placements")
    entity = models.ForeignKey("entity.Entity", on_delete=models.CASCADE, related_name="placements")
    shape = models.CharField(max_length=8, choices=PlacementShape.choices, default=PlacementShape.ICON)
    x = models.FloatField(default=0)
    y = models.FloatField(default=0)
    size = models.FloatField(default=0, help_text="icon size in plan units; 0 = a default relative to the plan")
    rotation = models.FloatField(default=0)
    points = models.JSONField(default=list, blank=True, help_text="polygon corners [[x, y], …] for areas")

    class Meta:
        ordering = ["plan", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "entity"], name="unique_placement_per_plan")]


class CollectionView(models.TextChoices):
    GRID = "grid", "Grid of cards"
    LIST = "list", "List"


class Collection(models.Model):
    """A named group of entities from any integration ("Doors", "Downstairs lights")."""

    name = models.CharField(max_length=100, unique=True)
    view = models.CharField(max_length=8, choices=CollectionView.choices, default=CollectionView.GRID)
    pinned = models.BooleanField(default=False, help_text="shown as a tab on the home page")
    position = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name", "id"]

    def __str__(self) -> str:
        return self.name


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    entity = models.ForeignKey("entity.Entity", on_delete=models.CASCADE, related_name="collection_items")
    position = models.IntegerField(default=0)

    class Meta:
        ordering = ["collection", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["collection", "entity"], name="unique_collection_entity")]
