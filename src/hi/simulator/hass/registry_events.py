"""The registry-updated event types Home Assistant fires (the simulator fires the same)."""

REGISTRY_EVENTS = ("device_registry_updated", "entity_registry_updated", "area_registry_updated",
                   "floor_registry_updated", "label_registry_updated")
