"""Turning an integration's suggested location path into a Location, creating only what is missing.

A synchronizer says where it thinks an entity is (``ExternalEntity.location``, outermost first, e.g.
``("Ground floor", "Kitchen")``). The sync planner asks a ``SuggestionResolver`` for the matching place:

- each segment is looked for by name, case-insensitively, first among the children of the place
  matched so far, then anywhere below it (so "Kitchen" finds "Home / Ground floor / Kitchen");
- what is not found is created (unsaved until the plan is applied) under the place matched so far,
  or under the home when the tree has a single top-level place (an empty tree gets a "Home" first); the same name is never created twice
  in one plan, and a later suggestion in the same plan reuses what an earlier one created.
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import Location, LocationKind
from .tree import SEPARATOR, LocationTree, clean_segments

DEFAULT_HOME = "Home"


def suggestion_text(path: Iterable[str] | str) -> str:
    """The normalised form stored in ``Entity.location_suggestion`` (empty: no suggestion)."""
    return SEPARATOR.join(clean_segments(path))[:500]


class SuggestionResolver:
    """Resolves suggestions against the tree read once; ``created`` lists new rows, parents first."""

    def __init__(self, tree: LocationTree | None = None) -> None:
        self._tree = tree
        self.created: list[Location] = []

    @property
    def tree(self) -> LocationTree:
        if self._tree is None:  # read lazily: a sync with no suggestions costs no query
            self._tree = LocationTree.load()
        return self._tree

    def resolve(self, path: Iterable[str] | str) -> Location | None:
        segments = clean_segments(path)
        if not segments:
            return None
        tree = self.tree
        current: Location | None = None
        for index, name in enumerate(segments):
            found = tree.child_named(current, name)
            if found is None:
                matches = tree.named(name, under=current)
                found = matches[0] if matches else None
            if found is None:
                found = self._create(name, current, last=index == len(segments) - 1)
            current = found
        return current

    def _create(self, name: str, below: Location | None, last: bool) -> Location:
        tree = self.tree
        if below is None and not tree.kids(None):  # an empty tree: the home comes first
            home = Location(name=DEFAULT_HOME, kind=LocationKind.HOME, position=0)
            tree.add(home)
            self.created.append(home)
            if " ".join(name.split()).casefold() == DEFAULT_HOME.casefold():
                return home  # a path that starts at "Home" (HomeBox's usual root) names the home, not a room in it
        parent = below if below is not None else tree.home()
        existing = tree.child_named(parent, name)
        if existing is not None:
            return existing
        siblings = tree.kids(parent)
        kind = LocationKind.ROOM if last else (
            LocationKind.FLOOR if parent is None or tree.parent_of(parent) is None else LocationKind.AREA)
        location = Location(name=name, parent=parent, kind=kind,
                            position=max((s.position for s in siblings), default=-1) + 1)
        tree.add(location)
        self.created.append(location)
        return location
