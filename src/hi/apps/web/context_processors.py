"""What every page's header and alert banner need: the security mode and the open alerts (two small queries)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

BANNER_ALERTS = 3


def alarm_banner() -> dict[str, Any]:
    """The banner's content; also rendered on its own for the live stream (``views/live.py``)."""
    from hi.apps.alarm.alerts import open_alerts
    from hi.apps.alarm.enums import AlertStatus
    from hi.apps.alarm.models import Alert

    shown = open_alerts(BANNER_ALERTS)
    total = len(shown) if len(shown) < BANNER_ALERTS else Alert.objects.filter(status=AlertStatus.OPEN).count()
    return {"alerts": shown, "total": total, "more": max(0, total - len(shown))}


def alarm(request: HttpRequest) -> dict[str, Any]:
    """Lazy: pages for signed-out visitors (the login page) never query."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}

    def mode() -> dict[str, Any]:
        from hi.apps.alarm.enums import SecurityMode
        from hi.apps.alarm.modes import mode_json

        return mode_json() | {"choices": SecurityMode.choices}

    return {"alarm_mode": SimpleLazyObject(mode), "alarm_banner": SimpleLazyObject(alarm_banner)}
