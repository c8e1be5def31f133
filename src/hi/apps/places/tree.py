"""The place tree read in one query: paths ("Home / Ground floor / Kitchen"), depth-first order, and
case-insensitive name matching. Homes have tens of places, not thousands, so the whole tree is small.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from typing import Any

from .models import Location

SEPARATOR = " / "


def name_key(name: str) -> str:
    """How names compare: case-insensitively, with runs of white space as one space."""
    return " ".join(name.split()).casefold()


def clean_segments(path: Iterable[str] | str) -> tuple[str, ...]:
    """A path as its non-empty segments, each trimmed to a location name's length."""
    if isinstance(path, str):
        path = path.split("/")
    return tuple(" ".join(str(part).split())[:100] for part in path if str(part).strip())


class LocationTree:
    """Every location, indexed; ``add`` keeps the indexes true for rows created (or planned) later."""

    def __init__(self, locations: Iterable[Location]) -> None:
        self.by_id: dict[int, Location] = {}
        self.children: dict[int | None, list[Location]] = defaultdict(list)
        self._unsaved: list[Location] = []
        self._named: dict[str, list[Location]] | None = None  # name key -> places, shallowest first
        for location in locations:
            self.add(location)

    @classmethod
    def load(cls) -> LocationTree:
        return cls(Location.objects.order_by("position", "name", "id"))

    def add(self, location: Location) -> None:
        self._named = None
        if location.pk is not None:
            self.by_id[location.pk] = location
        else:
            self._unsaved.append(location)
        self.children[self._parent_ref(location)].append(location)

    @staticmethod
    def _parent_ref(location: Location) -> Any:
        parent = location.parent if location.parent_id is None and location.parent is not None else None
        return id(parent) if parent is not None else location.parent_id

    @staticmethod
    def _ref(location: Location) -> Any:
        return location.pk if location.pk is not None else id(location)

    def kids(self, location: Location | None) -> list[Location]:
        return self.children.get(None if location is None else self._ref(location), [])

    def parent_of(self, location: Location) -> Location | None:
        if location.parent_id is not None:
            return self.by_id.get(location.parent_id)
        return location.parent if location.parent is not None else None

    def ancestors(self, location: Location) -> list[Location]:
        """From the top of the tree down to ``location`` itself (a cycle is cut where it repeats)."""
        chain, seen = [], set()
        node: Location | None = location
        while node is not None and id(node) not in seen:
            seen.add(id(node))
            chain.append(node)
            node = self.parent_of(node)
        return chain[::-1]

    def path(self, location: Location | int | None) -> str:
        if isinstance(location, int):
            location = self.by_id.get(location)
        if location is None:
            return ""
        return SEPARATOR.join(node.name for node in self.ancestors(location))

    def ref(self, location: Location | int | None) -> dict[str, Any] | None:
        """The stable JSON of an entity's ``location``: ``{id, name, path}`` or None."""
        if isinstance(location, int):
            location = self.by_id.get(location)
        if location is None:
            return None
        return {"id": location.pk, "name": location.name, "path": self.path(location)}

    def walk(self) -> list[tuple[Location, int]]:
        """Depth-first, siblings in order: (location, depth)."""
        out: list[tuple[Location, int]] = []
        seen: set[int] = set()

        def visit(node: Location | None, depth: int) -> None:
            for child in sorted(self.kids(node), key=lambda c: (c.position, c.name.casefold(), c.pk or 0)):
                if id(child) in seen:
                    continue
                seen.add(id(child))
                out.append((child, depth))
                visit(child, depth + 1)

        visit(None, 0)
        return out

    def rank(self) -> dict[int, int]:
        """Location id → its place in depth-first order (what "rooms in their order" means)."""
        return {location.pk: index for index, (location, _) in enumerate(self.walk()) if location.pk is not None}

    def descendants(self, location: Location | None) -> list[Location]:
        """Breadth-first (shallowest first); linear in the tree's size, so a sync resolving thousands of
        room suggestions against hundreds of places stays fast (a cycle is cut where it repeats)."""
        found: list[Location] = []
        seen: set[int] = set()
        queue = deque(self.kids(location))
        while queue:
            node = queue.popleft()
            if id(node) in seen:
                continue
            seen.add(id(node))
            found.append(node)
            queue.extend(self.kids(node))
        return found

    def child_named(self, parent: Location | None, name: str) -> Location | None:
        key = name_key(name)
        return next((c for c in self.kids(parent) if name_key(c.name) == key), None)

    def named(self, name: str, under: Location | None = None) -> list[Location]:
        """Locations called ``name`` below ``under`` (anywhere when None), shallowest first."""
        key = name_key(name)
        if under is None:  # a whole-tree look-up, once per suggestion: indexed until the tree changes
            if self._named is None:
                self._named = defaultdict(list)
                for node in self.descendants(None):
                    self._named[name_key(node.name)].append(node)
            return list(self._named.get(key, []))
        return [node for node in self.descendants(under) if name_key(node.name) == key]

    def by_path(self, path: str) -> list[Location]:
        """Locations whose path ends with ``path`` ("Kitchen", "Ground floor / Kitchen", or a full path)."""
        wanted = [name_key(part) for part in clean_segments(path)]
        if not wanted:
            return []
        matches = []
        for location, _ in self.walk():
            names = [name_key(node.name) for node in self.ancestors(location)]
            if names[-len(wanted):] == wanted:
                matches.append(location)
        return matches

    def home(self) -> Location | None:
        """The one top-level location, when there is exactly one: new rooms go under it."""
        top = self.kids(None)
        return top[0] if len(top) == 1 else None
