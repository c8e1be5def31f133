"""The part of a gateway that carries out control requests against the external system."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Controller


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
    def do_control(self, controller: Controller, value: Any) -> ControlResult:
        """Send ``value`` for ``controller``; raise an IntegrationError or return ok=False on failure."""
