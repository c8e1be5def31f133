"""Control: a camera's function and the server's run state, sent through ZoneMinder's API.

The new value is confirmed by the monitor's next poll (its sensor response), not assumed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hi.integrations.controller import ControlResult, IntegrationController
from hi.integrations.exceptions import ControlError
from hi.integrations.models import Integration
from hi.integrations.timeouts import configured as configured_timeouts

from .zm_client import INTEGRATION_ID, ZoneMinderClient
from .zm_converter import RUN_STATE, monitor_id_from_key
from .zm_models import MONITOR_FUNCTIONS
from .zm_settings import settings_from

if TYPE_CHECKING:
    from hi.apps.control.models import Controller


class ZoneMinderController(IntegrationController):
    def do_control(self, controller: Controller, value: Any) -> ControlResult:
        name = controller.integration_name or ""
        integration = Integration.objects.get(integration_id=INTEGRATION_ID)
        with ZoneMinderClient(settings_from(integration.attribute_values()), timeouts=configured_timeouts()) as client:
            if name == RUN_STATE:
                client.change_state(str(value))
                return ControlResult(ok=True, message=f"run state change to {value} sent", expected_value=str(value))
            monitor_id = monitor_id_from_key(name)
            if monitor_id is not None and name.endswith(".function"):
                if str(value) not in MONITOR_FUNCTIONS:
                    raise ControlError(f"function must be one of {', '.join(MONITOR_FUNCTIONS)}")
                client.edit_monitor(monitor_id, function=str(value))
                return ControlResult(ok=True, message=f"function {value} saved", expected_value=str(value))
        raise ControlError(f"{name} is not a ZoneMinder control", integration_id=INTEGRATION_ID)

