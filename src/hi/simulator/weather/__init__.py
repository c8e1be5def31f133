"""Simulated weather services: NWS under /nws, Open-Meteo under /openmeteo, sunrise-sunset.org under /sunrise.

One server, three path prefixes, so ``hi simulate weather`` gives the demo every source at once.
Tests drive it through its Python API (outages, observation values, alerts, the clock).
"""

from .server import WeatherSimulator

SIMULATOR = WeatherSimulator

__all__ = ["SIMULATOR", "WeatherSimulator"]
