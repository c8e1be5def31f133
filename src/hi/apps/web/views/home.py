"""The home page: every entity with its current state, grouped, searchable, filterable, paginated.

The page costs the same handful of queries whatever the number of entities: a count, one page of
entities, their states in one prefetch, and the integration facet.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hi.apps.control.models import Controller
from hi.apps.entity.availability import AvailabilityIndex
from hi.apps.entity.enums import AttributeSource, AttributeValueType, EntityType
from hi.apps.entity.models import Entity, EntityAttribute, EntityState
from hi.apps.places.models import Collection
from hi.apps.places.tree import LocationTree
from hi.apps.web.cards import build_cards, camera_urls
from hi.integrations import integration_factory
from hi.utils.urls import same_origin_path

PAGE_SIZE = 60
GROUPINGS = {"room": "location_id", "type": "entity_type", "integration": "integration_id"}
DEFAULT_GROUPING = "room"
GROUPING_SESSION_KEY = "home_group"  # the grouping a person chose last, remembered for their next visit
# Types in the order a household uses them: security first, then lights, climate, doors and locks,
# cameras, sensors; anything not listed (a type added later) comes right after security.
SECURITY_TYPES = (EntityType.ALARM_PANEL, EntityType.SIREN)
TYPE_ORDER = (
    *SECURITY_TYPES, EntityType.LIGHT, EntityType.SWITCH, EntityType.FAN, EntityType.THERMOSTAT,
    EntityType.WATER_HEATER, EntityType.HUMIDIFIER, EntityType.LOCK, EntityType.DOOR, EntityType.WINDOW,
    EntityType.COVER, EntityType.VALVE, EntityType.CAMERA, EntityType.MOTION_SENSOR, EntityType.SENSOR,
    EntityType.PERSON, EntityType.WEATHER_STATION, EntityType.MEDIA_PLAYER, EntityType.VACUUM,
    EntityType.APPLIANCE, EntityType.SERVER, EntityType.ITEM, EntityType.VIRTUAL, EntityType.OTHER,
)
# The state filter offers the values people look for; anything else can be typed in the URL.
STATE_CHOICES = [
    ("on", "On"), ("off", "Off"), ("open", "Open"), ("closed", "Closed"), ("active", "Motion / present"),
    ("idle", "Idle"), ("detected", "Detected (smoke, water, gas)"), ("low", "Battery low"),
    ("disconnected", "Disconnected"), ("unavailable", "Unavailable"),
]
DETACHED = "detached"
MANUAL = "none"


@dataclass(frozen=True)
class HomeFilters:
    """What the person asked for, read defensively from the query string."""

    search: str = ""
    integration: str = ""
    entity_type: str = ""
    state: str = ""
    group: str = DEFAULT_GROUPING
    collection: int | None = None

    @classmethod
    def from_request(cls, request: HttpRequest) -> HomeFilters:
        get = request.GET
        session = getattr(request, "session", None)
        remembered = session.get(GROUPING_SESSION_KEY, DEFAULT_GROUPING) if session is not None else DEFAULT_GROUPING
        group = get.get("group", remembered)
        if session is not None and "group" in get and group in GROUPINGS and group != remembered:
            session[GROUPING_SESSION_KEY] = group
        entity_type = get.get("type", "")
        return cls(
            search=get.get("q", "").strip()[:100],
            integration=get.get("integration", "").strip()[:40],
            entity_type=entity_type if entity_type in EntityType.values else "",
            state=get.get("state", "").strip()[:40],
            group=group if group in GROUPINGS else DEFAULT_GROUPING,
            collection=int(raw) if (raw := get.get("collection", "").strip()).isdigit() else None,
        )

    @property
    def active(self) -> bool:
        return bool(self.search or self.integration or self.entity_type or self.state)


def room_order(tree: LocationTree) -> Case:
    """Rooms in tree order, entities with no room last: a CASE over the (few) places, not a join."""
    rank = tree.rank()
    whens = [When(location_id=location_id, then=Value(index)) for location_id, index in rank.items()]
    return Case(*whens, default=Value(len(rank)), output_field=IntegerField())


def type_order() -> Case:
    """TYPE_ORDER as a sortable number (security first), unknown types right after security."""
    whens = [When(entity_type=entity_type, then=Value(index)) for index, entity_type in enumerate(TYPE_ORDER)]
    return Case(*whens, default=Value(len(SECURITY_TYPES)), output_field=IntegerField())


def filtered_entities(filters: HomeFilters, tree: LocationTree | None = None) -> QuerySet[Entity]:
    """Entities matching ``filters`` in display order, with their states ready in one extra query."""
    entities = Entity.objects.all()
    if filters.search:
        entities = entities.filter(Q(name__icontains=filters.search) | Q(integration_name__icontains=filters.search))
    if filters.integration == DETACHED:
        entities = entities.filter(integration_id__isnull=True).exclude(detached_key="")
    elif filters.integration == MANUAL:
        entities = entities.filter(integration_id__isnull=True, detached_key="")
    elif filters.integration:
        entities = entities.filter(integration_id=filters.integration)
    if filters.entity_type:
        entities = entities.filter(entity_type=filters.entity_type)
    if filters.state:
        entities = entities.filter(Exists(EntityState.objects.filter(entity=OuterRef("pk"), value=filters.state)))
    controllers = Controller.objects.only("id", "entity_state_id")
    states = EntityState.objects.only(
        "id", "entity_id", "name", "state_type", "value", "units", "value_range", "value_updated_at",
    ).prefetch_related(Prefetch("controllers", queryset=controllers))
    entities = entities.annotate(type_rank=type_order())
    order: tuple[str, ...]
    if filters.collection is not None:  # a pinned collection's tab: its members in their order
        entities = entities.filter(collection_items__collection_id=filters.collection).annotate(
            member_position=F("collection_items__position"))
        order = ("member_position",)
    elif filters.group == "room":
        entities = entities.annotate(room_rank=room_order(tree or LocationTree.load()))
        order = ("room_rank", "type_rank")
    elif filters.group == "type":
        order = ("type_rank",)
    else:
        order = (GROUPINGS[filters.group], "type_rank")
    return (entities.order_by(*order, "name", "id")
            .only("id", "name", "entity_type", "integration_id", "integration_name", "detached_key", "location_id")
            .prefetch_related(Prefetch("states", queryset=states)))


def integration_facets() -> list[str]:
    ids = Entity.objects.exclude(integration_id__isnull=True).values_list("integration_id", flat=True)
    return sorted(set(ids.distinct().order_by()))


def integration_labels(integration_ids: list[str]) -> dict[str, str]:
    """'hass' → 'Home Assistant' (no query: labels live on the gateway classes)."""
    labels = {}
    for integration_id in integration_ids:
        try:
            labels[integration_id] = integration_factory.get_gateway_class(integration_id).label
        except Exception:  # an integration whose code is gone still shows by its id
            labels[integration_id] = integration_id
    return labels


def card_pictures(entities: list[Entity]) -> dict[int, str]:
    """An integration's ``Photo`` file attribute (HomeBox's primary photo) is the card's picture; one query."""
    if not entities:
        return {}
    rows = EntityAttribute.objects.filter(entity_id__in=[e.id for e in entities], name="Photo",
                                          value_type=AttributeValueType.FILE, source=AttributeSource.INTEGRATION)
    return {entity_id: value for entity_id, value in rows.values_list("entity_id", "value") if same_origin_path(value)}


def home(request: HttpRequest) -> HttpResponse:
    filters = HomeFilters.from_request(request)
    tree = LocationTree.load()
    tabs = list(Collection.objects.filter(pinned=True).order_by("position", "name", "id"))
    collection = next((c for c in tabs if c.pk == filters.collection), None)
    if collection is None and filters.collection is not None:
        collection = Collection.objects.filter(pk=filters.collection).first()
    paginator = Paginator(filtered_entities(filters, tree), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    facets = integration_facets()
    entities = list(page.object_list)
    pictures = card_pictures(entities)
    for entity in entities:
        entity.picture_url = pictures.get(entity.id, "")
    room_paths = {location_id: tree.path(location_id) for location_id in tree.by_id}
    cards = build_cards(entities, AvailabilityIndex(), room_paths, camera_urls(entities))
    context = {
        "cards": cards,
        "filters": filters,
        "page": page,
        "entities": entities,
        "integrations": facets,
        "integration_labels": integration_labels(facets),
        "entity_types": EntityType.choices,
        "state_choices": STATE_CHOICES,
        "type_labels": dict(EntityType.choices),
        "room_paths": room_paths,
        "tabs": tabs,
        "collection": collection,
    }
    template = "web/partials/home_results.html" if request.htmx and request.htmx.target == "results" else "web/home.html"
    return render(request, template, context)
