"""Health (the hub's and the public probe) and API tokens."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connection
from django.http import HttpRequest
from ninja import Router, Status

from hi.operations import actions
from hi.operations.queries import BadInput, NotFound

from .models import ApiToken
from .schemas import Problem, TokenCreated, TokenIn, TokenOut
from .serializers import iso

router = Router()


@router.get("/healthz", auth=None, tags=["health"], summary="Public liveness probe; reveals nothing else")
def healthz(request: HttpRequest) -> dict[str, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return {"status": "error"}
    return {"status": "ok"}


@router.get("/health", tags=["health"], summary="Every integration's health and the worker's")
def health(request: HttpRequest) -> dict[str, Any]:
    return actions.health()


def _token_json(token: ApiToken) -> dict[str, Any]:
    return {"name": token.name, "hint": token.hint, "created_at": iso(token.created_at),
            "last_used_at": iso(token.last_used_at)}


@router.get("/tokens", response=list[TokenOut], tags=["tokens"], summary="API tokens (never their values)")
def list_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    return [_token_json(t) for t in ApiToken.objects.all()]


@router.post("/tokens", response={201: TokenCreated, 400: Problem}, tags=["tokens"],
             summary="Create a token; its value is shown only in this answer")
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    try:
        token, plain = ApiToken.issue(payload.name.strip(), user=user)
    except IntegrityError as exc:
        raise BadInput(f"a token named {payload.name!r} already exists") from exc
    return Status(201, {**_token_json(token), "token": plain})


@router.delete("/tokens/{name}", response={204: None, 404: Problem}, tags=["tokens"], summary="Revoke a token")
def revoke_token(request: HttpRequest, name: str) -> Any:
    deleted, _ = ApiToken.objects.filter(name=name).delete()
    if not deleted:
        raise NotFound(f"no token {name!r}")
    return Status(204, None)
