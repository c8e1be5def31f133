"""The one map from every URL route and every CLI command to the permission it needs.

Routes are keyed by Django's route string (``request.resolver_match.route``, the same for the ninja API, e.g.
``api/v1/entities/<key_or_id>``); each maps HTTP methods to a ``Perm``. ``AccessMiddleware`` enforces the map
for every request, so a view cannot forget; a route with no rule is refused (fail closed) and
``tests/test_enumeration.py`` fails for it, so whoever adds a route decides who may use it here.

Levels (``roles.Perm``): PUBLIC (no credentials), SELF (any signed-in person, their own things; tokens need
admin scope), READ (viewer and up), CONTROL (member and up: control, acknowledge alerts, security mode),
ADMIN (configuration, places and entities, rules, channels, integrations, tokens of others, operations).
"""

from __future__ import annotations

from collections.abc import Mapping

from .roles import Perm

PUBLIC, SELF, READ, CONTROL, ADMIN = Perm.PUBLIC, Perm.SELF, Perm.READ, Perm.CONTROL, Perm.ADMIN
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Rule = Mapping[str, Perm]


def rule(read: Perm, write: Perm | None = None) -> Rule:
    """GET/HEAD/OPTIONS need ``read``; every other method ``write`` (default: the same)."""
    return {"read": read, "write": read if write is None else write}


def needed(route_rule: Rule, method: str) -> Perm:
    return route_rule["read"] if method.upper() in SAFE_METHODS else route_rule["write"]


ROUTES: dict[str, Rule] = {
    # -- no credentials -------------------------------------------------------------------------------------------
    "login/": rule(PUBLIC),
    "logout/": rule(PUBLIC),
    "favicon.ico": rule(PUBLIC),
    "api/v1/healthz": rule(PUBLIC),
    "api/v1/webhooks/<str:integration_id>/<str:hook_id>": rule(PUBLIC),  # each hook's own secret
    "admin/login/": rule(PUBLIC),
    "admin/logout/": rule(PUBLIC),
    # -- web pages ------------------------------------------------------------------------------------------------
    "": rule(READ),
    "live/stream": rule(READ),
    "entities/<int:entity_id>/": rule(READ),
    "entities/<int:entity_id>/rename": rule(ADMIN),
    "entities/<int:entity_id>/history.json": rule(READ),
    "controllers/<int:controller_id>/control": rule(CONTROL),
    "controllers/<int:controller_id>/code": rule(CONTROL),
    "control-requests/<int:request_id>": rule(READ),
    "entities/<int:entity_id>/attributes/add": rule(ADMIN),
    "attributes/<int:attribute_id>/edit": rule(ADMIN),
    "attributes/<int:attribute_id>/delete": rule(ADMIN),
    "attributes/<int:attribute_id>/file": rule(READ),
    "integrations/": rule(ADMIN),
    "integrations/<str:integration_id>/configure": rule(ADMIN),
    "integrations/<str:integration_id>/sync": rule(ADMIN),
    "integrations/<str:integration_id>/lifecycle/<str:action>": rule(ADMIN),
    "integrations/<str:integration_id>/disable": rule(ADMIN),
    "entities/<int:entity_id>/place": rule(ADMIN),
    "places/": rule(READ),
    "places/things/add": rule(ADMIN),
    "entities/<int:entity_id>/link": rule(ADMIN),
    "collections/": rule(READ),
    "collections/create": rule(ADMIN),
    "collections/<int:collection_id>/": rule(READ),
    "collections/<int:collection_id>/save": rule(ADMIN),
    "collections/<int:collection_id>/add": rule(ADMIN),
    "collections/<int:collection_id>/remove/<int:entity_id>": rule(ADMIN),
    "collections/<int:collection_id>/delete": rule(ADMIN),
    "places/add": rule(ADMIN),
    "places/<int:location_id>/edit": rule(ADMIN),
    "places/<int:location_id>/delete": rule(ADMIN),
    "places/panel/<int:entity_id>": rule(READ),
    "places/<int:location_id>/plan": rule(READ),
    "places/<int:location_id>/plan/edit": rule(ADMIN),
    "places/<int:location_id>/plan/upload": rule(ADMIN),
    "places/<int:location_id>/plan/placements": rule(READ, ADMIN),
    "places/<int:location_id>/plan/image": rule(READ),
    "places/<int:location_id>/kiosk": rule(READ),
    "events/": rule(READ),
    "cameras/": rule(READ),
    "cameras/wall/": rule(READ),
    "cameras/streams.json": rule(READ),
    "events/<int:event_id>/": rule(READ),
    "weather/": rule(READ),
    "health/": rule(READ),
    "settings/": rule(READ, ADMIN),
    "alerts/": rule(READ),
    "alerts/<int:alert_id>/": rule(READ),
    "alerts/<int:alert_id>/ack": rule(CONTROL),
    "alerts/<int:alert_id>/snapshot": rule(READ),
    "mode": rule(READ, CONTROL),
    "security/": rule(READ, CONTROL),  # snooze, exit delay, schedule: as PUT /api/v1/mode
    "rules/": rule(READ),
    "rules/new": rule(ADMIN),
    "rules/<int:rule_id>/": rule(READ, ADMIN),
    "rules/<int:rule_id>/<str:action>": rule(ADMIN),
    "rules/value-field": rule(ADMIN),
    "channels/": rule(ADMIN),
    "webhooks/": rule(ADMIN),
    "webhooks/<int:webhook_id>/revoke": rule(ADMIN),
    "tokens/": rule(SELF),
    "tokens/<int:token_id>/revoke": rule(SELF),
    "account/": rule(SELF),  # one's own password ("Your account")
    "people/": rule(ADMIN),  # people, their roles and passwords: as `hi users …`
    "people/<int:user_id>/role": rule(ADMIN),
    "people/<int:user_id>/disable": rule(ADMIN),
    "people/<int:user_id>/enable": rule(ADMIN),
    "people/<int:user_id>/password": rule(ADMIN),
    "people/<int:user_id>/unlock": rule(ADMIN),
    # -- camera and inventory media (same-origin proxies) ---------------------------------------------------------
    "zoneminder/monitors/<int:monitor_id>/snapshot.jpg": rule(READ),
    "zoneminder/monitors/<int:monitor_id>/stream": rule(READ),
    "zoneminder/monitors/<int:monitor_id>/events/<int:event_id>/frames/<int:frame>.jpg": rule(READ),
    "zoneminder/monitors/<int:monitor_id>/events/<int:event_id>/thumbnail.jpg": rule(READ),
    "zoneminder/monitors/<int:monitor_id>/events/<int:event_id>/video.mp4": rule(READ),
    "hass/cameras/<str:entity_id>/picture": rule(READ),
    "hass/cameras/<str:entity_id>/stream": rule(READ),
    "hass/images/<str:entity_id>": rule(READ),
    "homebox/items/<str:item_id>/attachments/<str:attachment_id>": rule(READ),
    "homebox/warranties/": rule(READ),
    # -- REST API -------------------------------------------------------------------------------------------------
    "api/v1/": rule(READ),
    "api/v1/stream": rule(READ),
    "api/v1/openapi.json": rule(READ),
    "api/v1/docs": rule(READ),
    "api/v1/health": rule(READ),
    "api/v1/tokens": rule(SELF, SELF),
    "api/v1/tokens/<id_or_name>": rule(SELF),
    "api/v1/integrations": rule(READ),
    "api/v1/integrations/<integration_id>": rule(ADMIN),
    "api/v1/integrations/<integration_id>/configure": rule(ADMIN),
    "api/v1/integrations/<integration_id>/enable": rule(ADMIN),
    "api/v1/integrations/<integration_id>/pause": rule(ADMIN),
    "api/v1/integrations/<integration_id>/resume": rule(ADMIN),
    "api/v1/integrations/<integration_id>/disable": rule(ADMIN),
    "api/v1/integrations/<integration_id>/sync": rule(ADMIN),
    "api/v1/integrations/<integration_id>/health": rule(READ),
    "api/v1/entities": rule(READ, ADMIN),
    "api/v1/entities/<key_or_id>": rule(READ),
    "api/v1/entities/<key_or_id>/location": rule(ADMIN),
    "api/v1/entities/<key_or_id>/link": rule(ADMIN),
    "api/v1/states/<state_id>/history": rule(READ),
    "api/v1/states/<state_id>/series": rule(READ),
    "api/v1/events": rule(READ),
    "api/v1/control": rule(CONTROL),
    "api/v1/locations": rule(READ, ADMIN),
    "api/v1/locations/<location_id>": rule(READ, ADMIN),
    "api/v1/locations/<location_id>/plan": rule(READ, ADMIN),
    "api/v1/locations/<location_id>/plan/image": rule(READ),
    "api/v1/collections": rule(READ, ADMIN),
    "api/v1/collections/<collection_id>": rule(READ, ADMIN),
    "api/v1/mode": rule(READ, CONTROL),
    "api/v1/alerts": rule(READ),
    "api/v1/alerts/<alert_id>": rule(READ),
    "api/v1/alerts/<alert_id>/ack": rule(CONTROL),
    "api/v1/rules": rule(READ, ADMIN),
    "api/v1/rules/<rule_id>": rule(READ, ADMIN),
    "api/v1/rules/<rule_id>/test": rule(READ),
    "api/v1/channels": rule(ADMIN),
    "api/v1/channels/<name>": rule(ADMIN),
    "api/v1/channels/<name>/test": rule(ADMIN),
}

# Django's admin site (its own staff check as well): every page of it is for admins.
PREFIXES: dict[str, Rule] = {"admin/": rule(ADMIN)}

# Routes outside ``api/`` where a bearer token is read too: camera media a script may fetch
# (``hi.apps.api.media_auth.session_or_token`` on the view).
TOKEN_ROUTES = frozenset({
    "zoneminder/monitors/<int:monitor_id>/snapshot.jpg",
    "zoneminder/monitors/<int:monitor_id>/stream",
    "zoneminder/monitors/<int:monitor_id>/events/<int:event_id>/frames/<int:frame>.jpg",
    "zoneminder/monitors/<int:monitor_id>/events/<int:event_id>/thumbnail.jpg",
    "zoneminder/monitors/<int:monitor_id>/events/<int:event_id>/video.mp4",
})


def rule_for(route: str) -> Rule | None:
    """The rule of a route, or None when nobody decided (the middleware refuses, the enumeration test fails)."""
    found = ROUTES.get(route)
    if found is not None:
        return found
    for prefix, prefix_rule in PREFIXES.items():
        if route.startswith(prefix):
            return prefix_rule
    return None


# -- the command line ------------------------------------------------------------------------------------------
# Keyed by the command path as typed (``"integrations configure"``). The CLI acts as the local operator (admin,
# it owns the data dir) unless HI_CLI_USER names a person; then that person's role applies.
COMMANDS: dict[str, Perm] = {
    "integrations list": READ, "integrations configure": ADMIN, "integrations enable": ADMIN,
    "integrations pause": ADMIN, "integrations resume": ADMIN, "integrations disable": ADMIN,
    "sync": ADMIN,
    "entities list": READ, "entities show": READ, "entities create": ADMIN,
    "places list": READ, "places add": ADMIN, "places assign": ADMIN,
    "control": CONTROL,
    "events list": READ,
    "mode": READ, "mode set": CONTROL, "snooze": CONTROL,
    "alerts list": READ, "alerts ack": CONTROL,
    "rules list": READ, "rules show": READ, "rules enable": ADMIN, "rules disable": ADMIN,
    "channels list": ADMIN, "channels add": ADMIN, "channels test": ADMIN, "channels remove": ADMIN,
    "health": READ,
    "run": ADMIN, "worker": ADMIN, "demo": ADMIN, "simulate": PUBLIC,
    "tokens create": SELF, "tokens list": SELF, "tokens revoke": SELF,
    "users add": ADMIN, "users list": ADMIN, "users set-role": ADMIN, "users disable": ADMIN,
    "users enable": ADMIN, "users set-password": ADMIN, "users unlock": ADMIN,
    "backup": ADMIN, "restore": ADMIN, "export": ADMIN, "import": ADMIN, "doctor": ADMIN, "prune": ADMIN,
    "vacuum": ADMIN, "install-service": ADMIN, "uninstall-service": ADMIN,
    "secrets rotate-key": ADMIN, "secrets reseal": ADMIN, "secrets new-key": ADMIN,
    "webhooks create": ADMIN, "webhooks list": ADMIN, "webhooks revoke": ADMIN,
    "manage": ADMIN,
}
