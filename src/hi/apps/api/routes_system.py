"""Health (the hub's and the public probe) and API tokens."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest
from ninja import Router, Status

from hi.apps.access import tokens
from hi.apps.access.models import TokenError
from hi.operations import actions
from hi.operations.queries import BadInput, NotFound

from .schemas import Problem, TokenCreated, TokenIn, TokenOut

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


@router.get("/tokens", response=list[TokenOut], tags=["tokens"],
            summary="Your API tokens (an admin: everyone's); never their values")
def list_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    return tokens.list_tokens(request.principal)


@router.post("/tokens", response={201: TokenCreated, 400: Problem}, tags=["tokens"],
             summary="Create a token; its value is shown only in this answer")
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    try:
        token, plain = tokens.create_token(request.principal, payload.name, scope=payload.scope,
                                           expires_days=payload.expires_days, for_user=payload.user)
    except TokenError as exc:
        raise BadInput(str(exc)) from exc
    return Status(201, {**token.as_dict(), "token": plain})


@router.delete("/tokens/{id_or_name}", response={204: None, 400: Problem, 404: Problem}, tags=["tokens"],
               summary="Revoke a token by id or name (yours; an admin: anyone's)")
def revoke_token(request: HttpRequest, id_or_name: str) -> Any:
    try:
        tokens.revoke_token(request.principal, id_or_name)
    except tokens.TokenNotFound as exc:
        raise NotFound(str(exc)) from exc
    except TokenError as exc:
        raise BadInput(str(exc)) from exc
    return Status(204, None)
