"""Fixtures: a Home Assistant simulator on a loopback socket and the integration configured against it
(shared with the fault suite through ``hi.services.hass.testing``)."""

from hi.services.hass.testing import *  # noqa: F403
