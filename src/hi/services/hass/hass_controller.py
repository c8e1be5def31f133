"""Control: a value for one of our controllers becomes the Home Assistant service call that sets it.

Home Assistant answers a REST service call with the states it changed; those go straight through
the sensor pipeline, so the request is confirmed by Home Assistant's own report of the new state.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import TYPE_CHECKING, Any

from hi.apps.sense.pipeline import get_pipeline
from hi.integrations.controller import ControlResult, IntegrationController
from hi.integrations.exceptions import ConfigurationError, ControlError, RequestError
from hi.integrations.models import Integration
from hi.integrations.sensor_response import SensorResponse
from hi.integrations.timeouts import configured as configured_timeouts
from hi.utils.redaction import register_secret

from .client import HassRestClient, HassState
from .hass_converter import responses_for
from .hass_domains import SIREN_SETTINGS
from .hass_services import ServiceCall, plan_domain_call
from .hass_states import INTEGRATION_ID, sensor_key, split_key_name

if TYPE_CHECKING:
    from hi.apps.control.models import Controller

logger = logging.getLogger("hi.services.hass.control")
_clients: dict[tuple[str, str, object], HassRestClient] = {}
_clients_lock = threading.Lock()


def _on_off(domain: str, value: Any) -> ServiceCall:
    return ServiceCall(domain, "turn_on" if value == "on" else "turn_off", expected=value)


def _sibling(controller: Controller, entity_id: str, suffix: str, default: Any) -> Any:
    """The current value of another state of the same HA entity (hue needs saturation and vice versa)."""
    state = controller.entity_state.entity.states.filter(state_key=f"{entity_id}#{suffix}").first()
    value = state.value if state is not None else None
    return value if isinstance(value, int | float) and not isinstance(value, bool) else default


def _siren_settings(controller: Controller, entity_id: str) -> dict[str, Any]:
    """The tone, volume and duration chosen in hi for this siren (only those its features offer)."""
    data: dict[str, Any] = {}
    for row in controller.entity_state.entity.states.filter(
            state_key__in=[f"{entity_id}#{suffix}" for suffix in SIREN_SETTINGS]):
        if row.value is None:
            continue  # never chosen: HA's default
        call = plan_domain_call("siren", split_key_name(row.state_key)[1], row.value)
        if call is not None:
            data.update(call.data)
    return data


def plan_service_call(controller: Controller, value: Any, code: str | None = None) -> ServiceCall:
    """The service call for ``value`` on ``controller`` (per DOMAIN.md); ControlError when there is none."""
    entity_id, suffix = split_key_name(controller.integration_name or "")
    domain = entity_id.partition(".")[0]
    call = plan_domain_call(domain, suffix, value, code)
    if call is not None and domain == "siren" and not suffix and value == "on":
        return ServiceCall("siren", "turn_on", _siren_settings(controller, entity_id), "on")
    if call is not None:
        return call
    if domain in ("switch", "fan", "input_boolean", "media_player") and not suffix:
        return _on_off(domain, value)
    if domain == "light":
        if not suffix:
            return _on_off(domain, value)
        if suffix == "brightness":
            if int(value) == 0:
                return ServiceCall("light", "turn_off", expected=0)
            return ServiceCall("light", "turn_on", {"brightness_pct": int(value)}, int(value))
        if suffix == "hue":
            saturation = _sibling(controller, entity_id, "saturation", 100)
            return ServiceCall("light", "turn_on", {"hs_color": [value, saturation]}, value)
        if suffix == "saturation":
            hue = _sibling(controller, entity_id, "hue", 0)
            return ServiceCall("light", "turn_on", {"hs_color": [hue, value]}, value)
        if suffix == "color_temp":
            return ServiceCall("light", "turn_on", {"color_temp_kelvin": int(value)}, int(value))
    if domain == "cover":
        if not suffix:
            return ServiceCall("cover", "open_cover" if value == "open" else "close_cover", expected=value)
        if suffix == "position":
            return ServiceCall("cover", "set_cover_position", {"position": int(value)}, int(value))
    if domain == "climate":
        if not suffix:
            return ServiceCall("climate", "set_hvac_mode", {"hvac_mode": value}, value)
        if suffix == "temperature":
            return ServiceCall("climate", "set_temperature", {"temperature": value}, value)
        if suffix in ("target_temp_low", "target_temp_high"):
            other = "target_temp_high" if suffix == "target_temp_low" else "target_temp_low"
            return ServiceCall("climate", "set_temperature",
                               {suffix: value, other: _sibling(controller, entity_id, other, value)}, value)
    raise ControlError(f"Home Assistant has no way to set {controller.integration_name} to {value!r}",
                       integration_id=INTEGRATION_ID)


def _client(attributes: dict[str, str]) -> HassRestClient:
    base_url, token = attributes.get("base_url", ""), attributes.get("api_token", "")
    if not base_url or not token:
        raise ConfigurationError("Home Assistant is not configured (address and token needed)",
                                 integration_id=INTEGRATION_ID)
    register_secret(token)
    timeouts = configured_timeouts()  # HI_HTTP_CONNECT_TIMEOUT / HI_HTTP_READ_TIMEOUT: a hung HA fails in that time
    with _clients_lock:
        client = _clients.get((base_url, token, timeouts))
        if client is None:
            client = _clients[(base_url, token, timeouts)] = HassRestClient(base_url, token, timeouts=timeouts)
        return client


def _stored_attributes() -> dict[str, str]:
    integration = Integration.objects.filter(integration_id=INTEGRATION_ID).first()
    return integration.attribute_values() if integration else {}


class HassController(IntegrationController):
    """Sends service calls over REST and feeds the returned states to the pipeline."""

    accepts_code = True  # alarm panels and locks take one; dispatch passes it only when given or stored

    def do_control(self, controller: Controller, value: Any, code: str | None = None) -> ControlResult:
        if code is not None:
            register_secret(code)
        call = plan_service_call(controller, value, code)
        entity_id, suffix = split_key_name(controller.integration_name or "")
        if call.kept:  # hi's own setting: recorded now, sent with the next call that uses it
            get_pipeline().process([SensorResponse(integration_key=sensor_key(entity_id, suffix), value=call.expected,
                                                   timestamp=dt.datetime.now(dt.UTC))])
            return ControlResult(True, f"kept for the next {call.domain}.{call.service}", confirmed=True)
        client = _client(_stored_attributes())
        try:
            changed = client.call_service(call.domain, call.service, {"entity_id": entity_id, **call.data})
        except RequestError as exc:  # the message is redacted by dispatch (a code is a registered secret)
            return ControlResult(False, f"Home Assistant refused {call.domain}.{call.service}: {exc.message}")
        self._report(changed)
        if call.momentary:  # nothing to wait for: HA accepted the press
            return ControlResult(True, f"{call.domain}.{call.service} acknowledged", confirmed=True)
        return ControlResult(True, f"{call.domain}.{call.service} sent", expected_value=call.expected)

    @staticmethod
    def _report(changed: list[HassState]) -> None:
        """Hand the states Home Assistant says it changed to the pipeline (confirms the request)."""
        if not changed:
            return
        responses = [response for state in changed for response in responses_for(state)]
        try:
            get_pipeline().process(responses)
        except Exception:  # the live monitor reports the same change; control itself succeeded
            logger.exception("hass: could not record the states a service call returned")
