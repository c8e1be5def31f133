"""``can`` in every template: what the signed-in person may do, so pages show only the controls that work for them.

``{% if can.control %}`` around a switch, ``{% if can.admin %}`` around an edit button; the access middleware
refuses the request anyway, this only keeps the page honest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from .principal import Principal, user_principal
from .roles import Perm


@dataclass(frozen=True)
class Can:
    role: str = ""
    read: bool = False
    control: bool = False
    admin: bool = False


NOBODY = Can()


def access(request: HttpRequest) -> dict[str, Any]:
    principal: Principal | None = getattr(request, "principal", None)
    if principal is None:
        principal = user_principal(getattr(request, "user", None))
    if principal is None:
        return {"can": NOBODY}
    return {"can": Can(role=principal.role, read=principal.may(Perm.READ), control=principal.may(Perm.CONTROL),
                       admin=principal.may(Perm.ADMIN))}
