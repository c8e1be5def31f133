"""The Home Assistant simulator (``hi simulate hass``): REST + WebSocket on one loopback port."""

from .server import DEFAULT_TOKEN, HassSimulator

SIMULATOR = HassSimulator

__all__ = ["DEFAULT_TOKEN", "SIMULATOR", "HassSimulator"]
