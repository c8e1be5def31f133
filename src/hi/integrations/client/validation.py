"""Every payload from outside passes through here: JSON decoding, size cap and a pydantic schema.

A mismatch becomes ``DataValidationError`` naming the bad location (``monitors.3.Monitor.Id``),
never a ``KeyError`` deep inside a converter. Usage::

    class Monitor(BaseModel): Id: int; Name: str
    monitors = parse(list[Monitor], payload)            # a type, a model or a TypeAdapter
    states = parse_json(StatesModel, response.content)   # bytes/str → decoded → validated
"""

from __future__ import annotations

import functools
import json
from typing import Any, TypeVar, overload

from pydantic import BaseModel, TypeAdapter, ValidationError

from hi.integrations.exceptions import DataValidationError

T = TypeVar("T")
DEFAULT_MAX_BYTES = 32 * 1024 * 1024


@functools.lru_cache(maxsize=256)
def _adapter(schema: Any) -> TypeAdapter[Any]:
    return TypeAdapter(schema)


def _adapter_for(schema: Any) -> TypeAdapter[Any]:
    if isinstance(schema, TypeAdapter):
        return schema
    try:
        return _adapter(schema)
    except TypeError:  # unhashable annotations cannot be cached
        return TypeAdapter(schema)


def field_path(loc: tuple[int | str, ...]) -> str:
    """pydantic's error location as a dotted path: ``('monitors', 3, 'Monitor', 'Id')`` → ``monitors.3.Monitor.Id``."""
    return ".".join(str(part) for part in loc) or "(root)"


def _error_from(exc: ValidationError, integration_id: str | None, what: str) -> DataValidationError:
    first = exc.errors(include_url=False, include_input=False)[0]
    path = field_path(tuple(first.get("loc", ())))
    more = exc.error_count() - 1
    suffix = f" (and {more} more)" if more > 0 else ""
    message = f"{what}: field {path}: {first.get('msg', 'invalid')}{suffix}"
    return DataValidationError(message, field=path, integration_id=integration_id)


@overload
def parse(schema: type[T], data: Any, *, integration_id: str | None = ..., what: str = ...) -> T: ...
@overload
def parse(schema: TypeAdapter[T], data: Any, *, integration_id: str | None = ..., what: str = ...) -> T: ...
@overload
def parse(schema: Any, data: Any, *, integration_id: str | None = ..., what: str = ...) -> Any: ...
def parse(schema: Any, data: Any, *, integration_id: str | None = None,
          what: str = "unexpected data") -> Any:
    """Validate already-decoded data against a pydantic model, a type (``list[Model]``) or a TypeAdapter."""
    try:
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            return schema.model_validate(data)
        return _adapter_for(schema).validate_python(data)
    except ValidationError as exc:
        raise _error_from(exc, integration_id, what) from None


def decode_json(content: bytes | str, *, max_bytes: int | None = DEFAULT_MAX_BYTES,
                integration_id: str | None = None) -> Any:
    """Decode JSON text; non-JSON, truncated JSON or an over-size body → DataValidationError."""
    if max_bytes is not None and len(content) > max_bytes:
        raise DataValidationError(f"payload of {len(content)} bytes exceeds the {max_bytes}-byte limit",
                                  integration_id=integration_id)
    if not content or not content.strip():
        raise DataValidationError("payload is empty (truncated JSON)", integration_id=integration_id)
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        kind = "truncated JSON" if isinstance(exc, json.JSONDecodeError) and exc.pos >= len(exc.doc) - 1 \
            else "not JSON"
        raise DataValidationError(f"payload is {kind}: {str(exc)[:120]}", integration_id=integration_id) from None


def parse_json(schema: Any, content: bytes | str, *, max_bytes: int | None = DEFAULT_MAX_BYTES,
               integration_id: str | None = None) -> Any:
    """``decode_json`` then ``parse``."""
    return parse(schema, decode_json(content, max_bytes=max_bytes, integration_id=integration_id),
                 integration_id=integration_id)


__all__ = ["DEFAULT_MAX_BYTES", "decode_json", "field_path", "parse", "parse_json"]
