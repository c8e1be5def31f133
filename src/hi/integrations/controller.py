"""The part of a gateway that carries out control requests against the external system.

Django-free contract types. The hub passes the ``Controller`` row (``hi.apps.control.models``) it is
asked to drive; the contract names only what every implementation may rely on (``ControlTarget``), so
the framework never imports a core app.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Any, Protocol


class ControlTarget(Protocol):
    """What a control implementation may read of the controller it drives (its integration key parts,
    its payload, its name); implementations that need the entity's other states may use the row's
    ``entity_state`` relation, which the concrete ``Controller`` model has."""

    integration_id: str | None
    integration_name: str | None
    integration_payload: Any
    name: str


@dataclass(frozen=True)
class ControlResult:
    """``expected_value`` is what a confirming sensor response will carry (None: the requested value).

    ``confirmed`` True says the external system already acknowledged the new value itself, so no
    sensor response needs to confirm it.
    """

    ok: bool
    message: str = ""
    expected_value: Any = None
    confirmed: bool = False


class IntegrationController(abc.ABC):
    @abc.abstractmethod
    def do_control(self, controller: ControlTarget, value: Any) -> ControlResult:
        """Send ``value`` for ``controller`` (the hub passes its ``Controller`` row); raise an
        IntegrationError or return ok=False on failure."""
