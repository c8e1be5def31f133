"""The part of a gateway that carries out control requests against the external system."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Controller


@dataclass(frozen=True)
class ControlResult:
    """``expected_value`` is what a confirming sensor response will carry (None: no confirmation expected)."""

    ok: bool
    message: str = ""
    expected_value: Any = None


class IntegrationController(abc.ABC):
    @abc.abstractmethod
    def do_control(self, controller: Controller, value: Any) -> ControlResult:
        """Send ``value`` for ``controller``; raise an IntegrationError or return ok=False on failure."""
