"""HomeBox's HTTP surface under ``/api/v1`` in the generation ``state.version`` selects.

Faithful where clients trip: login wants ``Content-Type: application/json`` and answers
``token: "Bearer <raw>"``; a wrong password is 500 before v0.22 and 401 after; v0.23+ counts failed
logins per client and answers 429 with ``Retry-After``; lists return everything unless ``page`` and
``pageSize`` are both sent; v0.26 serves ``/entities`` (the old ``/items`` are 404 there and the
reverse), accepts ``hb_`` API keys and ``X-Tenant``; a link attachment answers 302 to its URL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .state import HomeBoxState, SimItem, _iso

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
API = "/api/v1"
GROUP = web.RequestKey("group_id", str)


def error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


class HomeBoxApi:
    """Route handlers bound to one ``HomeBoxState`` (swapped on reset)."""

    def __init__(self, state: HomeBoxState) -> None:
        self.state = state
        self.requests: dict[str, int] = {}

    def routes(self, app: web.Application) -> None:
        app.router.add_get(f"{API}/status", self.status)
        app.router.add_post(f"{API}/users/login", self.login)
        app.router.add_get(f"{API}/users/refresh", self.auth(self.refresh))
        app.router.add_get(f"{API}/groups", self.auth(self.group))
        for collection in ("items", "entities"):
            app.router.add_get(f"{API}/{collection}", self.auth(self.list_items, collection))
            app.router.add_get(f"{API}/{collection}/{{id}}", self.auth(self.item, collection))
            app.router.add_get(f"{API}/{collection}/{{id}}/attachments/{{aid}}", self.auth(self.attachment, collection))
        app.router.add_get(f"{API}/locations/tree", self.auth(self.tree, "items"))
        app.router.add_get(f"{API}/entities/tree", self.auth(self.tree, "entities"))
        app.router.add_get("/_sim/requests", self.sim_requests)

    # -- plumbing -------------------------------------------------------------------------------
    def count(self, request: web.Request) -> None:
        key = f"{request.method} {request.path}"
        self.requests[key] = self.requests.get(key, 0) + 1

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    def auth(self, handler: Callable[..., Awaitable[web.StreamResponse]], collection: str = "") -> Handler:
        async def checked(request: web.Request) -> web.StreamResponse:
            self.count(request)
            state = self.state
            if collection and (collection == "entities") != state.entities_api:
                return error(404, "not found")
            user = state.user_for(request.headers.get("Authorization", ""))
            if user is None:
                return error(401, "valid authorization token is required")
            group_id = state.membership[user][0]
            tenant = request.headers.get("X-Tenant", "") if state.vt >= (0, 23) else ""
            if tenant:
                if tenant not in state.groups:
                    return error(400, "invalid X-Tenant header format")
                if tenant not in state.membership[user]:
                    return error(403, "user does not have access to the requested tenant")
                group_id = tenant
            request[GROUP] = group_id
            return await handler(request)

        return checked

    # -- unauthenticated --------------------------------------------------------------------------
    async def status(self, request: web.Request) -> web.Response:
        self.count(request)
        return web.json_response({"health": True, "versions": [], "title": "Homebox", "message": "",
                                  "build": {"version": self.state.version, "commit": "0000000", "buildTime": ""},
                                  "demo": False, "allowRegistration": True})

    async def login(self, request: web.Request) -> web.Response:
        self.count(request)
        state = self.state
        key = f"{request.remote}|{request.path}"
        if state.rate_limited_logins:
            wait = state.auth_blocked(key)
            if wait is not None:
                state.rate_limited += 1
                return web.json_response({"error": "too many authentication attempts"}, status=429,
                                         headers={"Retry-After": str(max(0, round(wait)))})
        if request.content_type != "application/json":
            return error(400, "login form must be JSON")
        try:
            body = await request.json()
            username, password = str(body["username"]), str(body["password"])
        except (ValueError, KeyError, TypeError):
            return error(400, "username and password are required")
        ok = state.users.get(username) == password and bool(password)
        if state.rate_limited_logins:
            state.record_login(key, ok)
        if not ok:
            state.failed_logins += 1
            if state.wrong_password_status == 500:
                return web.json_response("authentication failed", status=500)
            return error(401, "unauthorized")
        state.logins += 1
        raw, expires = state.issue(username, bool(body.get("stayLoggedIn")))
        return web.json_response({"token": f"Bearer {raw}", "expiresAt": _iso(expires),
                                  "attachmentToken": raw[::-1]})

    # -- authenticated ---------------------------------------------------------------------------
    async def refresh(self, request: web.Request) -> web.Response:
        state = self.state
        old = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if old in state.api_keys:
            return error(400, "API keys do not require refresh")
        user = state.user_for(old)
        assert user is not None
        state.refreshes += 1
        raw, expires = state.issue(user, True)
        with state.lock:
            state.tokens.pop(old, None)
        return web.json_response({"raw": raw, "expiresAt": _iso(expires), "attachmentToken": raw[::-1]})

    async def group(self, request: web.Request) -> web.Response:
        return web.json_response(self.state.groups[request[GROUP]])

    def _visible(self, request: web.Request) -> list[SimItem]:
        include_archived = request.query.get("includeArchived", "").lower() == "true"
        with self.state.lock:
            return [item for item in self.state.items.values()
                    if item.group_id == request[GROUP] and (include_archived or not item.archived)]

    async def list_items(self, request: web.Request) -> web.Response:
        state = self.state
        if state.entities_api and request.query.get("isLocation", "").lower() == "true":
            return web.json_response(self._locations_page(request))
        items = self._visible(request)
        try:
            page, size = int(request.query.get("page", "-1")), int(request.query.get("pageSize", "-1"))
        except ValueError:
            return error(400, "page and pageSize must be numbers")
        if page > 0 and size > 0:
            rows = items[(page - 1) * size: page * size]
        else:  # HomeBox returns everything when either is missing
            page, size, rows = 1, len(items), items
        with state.lock:
            body = [state.summary_json(item) for item in rows]
        return web.json_response({"page": page, "pageSize": size, "total": len(items), "items": body})

    def _locations_page(self, request: web.Request) -> dict[str, Any]:
        with self.state.lock:
            rows = [{"id": loc.id, "name": loc.name, "updatedAt": _iso(self.state.wall()),
                     "parent": {"id": loc.parent_id} if loc.parent_id else None}
                    for loc in self.state.locations.values() if loc.group_id == request[GROUP]]
        return {"page": 1, "pageSize": len(rows), "total": len(rows), "items": rows}

    def _item(self, request: web.Request) -> SimItem | None:
        item = self.state.items.get(request.match_info["id"])
        return item if item is not None and item.group_id == request[GROUP] else None

    async def item(self, request: web.Request) -> web.Response:
        item = self._item(request)
        if item is None:
            return error(404, "item not found")
        with self.state.lock:
            return web.json_response(self.state.detail_json(item))

    async def attachment(self, request: web.Request) -> web.StreamResponse:
        item = self._item(request)
        found = next((a for a in item.attachments if a.id == request.match_info["aid"]), None) if item else None
        if found is None:
            return error(404, "attachment not found")
        if found.link_url:
            raise web.HTTPFound(found.link_url)
        self.state.attachment_downloads += 1
        return web.Response(body=found.content, content_type=found.mime,
                            headers={"Content-Disposition": f'attachment; filename="{found.title}"'})

    async def sim_requests(self, request: web.Request) -> web.Response:
        """Test API (not HomeBox's): what was asked so far, for request budgets measured from outside."""
        return web.json_response({"total": self.total_requests, "by_path": len(self.requests),
                                  "attachment_downloads": self.state.attachment_downloads,
                                  "logins": self.state.logins})

    async def tree(self, request: web.Request) -> web.Response:
        with self.state.lock:
            return web.json_response(self.state.tree_json(request[GROUP]))

