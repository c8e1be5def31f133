"""Entity and state types, and what each state type's values are (from DOMAIN.md)."""

from __future__ import annotations

from typing import Any

from django.db import models


class EntityType(models.TextChoices):
    LIGHT = "light", "Light"
    SWITCH = "switch", "Switch"
    FAN = "fan", "Fan"
    LOCK = "lock", "Lock"
    COVER = "cover", "Cover"
    DOOR = "door", "Door"
    WINDOW = "window", "Window"
    THERMOSTAT = "thermostat", "Thermostat"
    SENSOR = "sensor", "Sensor"
    MOTION_SENSOR = "motion_sensor", "Motion sensor"
    CAMERA = "camera", "Camera"
    MEDIA_PLAYER = "media_player", "Media player"
    ALARM_PANEL = "alarm_panel", "Alarm panel"
    PERSON = "person", "Person"
    VALVE = "valve", "Valve"
    VACUUM = "vacuum", "Vacuum"
    WATER_HEATER = "water_heater", "Water heater"
    HUMIDIFIER = "humidifier", "Humidifier"
    SIREN = "siren", "Siren"
    SERVER = "server", "Server"
    WEATHER_STATION = "weather_station", "Weather station"
    APPLIANCE = "appliance", "Appliance"
    ITEM = "item", "Item"
    VIRTUAL = "virtual", "Virtual"
    OTHER = "other", "Other"


class EntityStateType(models.TextChoices):
    ON_OFF = "on_off", "On/off"
    OPEN_CLOSE = "open_close", "Open/closed"
    MOVEMENT = "movement", "Movement"
    PRESENCE = "presence", "Presence"
    CONNECTIVITY = "connectivity", "Connectivity"
    HIGH_LOW = "high_low", "High/low"
    SMOKE = "smoke", "Smoke"
    MOISTURE = "moisture", "Moisture"
    CO = "co", "Carbon monoxide"
    GAS = "gas", "Gas"
    LIGHT_DIMMER = "light_dimmer", "Dimmer"
    SATURATION = "saturation", "Saturation"
    OPEN_CLOSE_POSITION = "open_close_position", "Position"
    BATTERY_LEVEL = "battery_level", "Battery level"
    POWER_LEVEL = "power_level", "Power level"
    HUE = "hue", "Hue"
    COLOR_TEMPERATURE = "color_temperature", "Colour temperature"
    TEMPERATURE = "temperature", "Temperature"
    HUMIDITY = "humidity", "Humidity"
    AIR_PRESSURE = "air_pressure", "Air pressure"
    WIND_SPEED = "wind_speed", "Wind speed"
    LIGHT_LEVEL = "light_level", "Light level"
    ELECTRIC_USAGE = "electric_usage", "Electric usage"
    DATETIME = "datetime", "Date and time"
    DISCRETE = "discrete", "Discrete"
    CONTINUOUS = "continuous", "Continuous"
    MULTIVALUED = "multivalued", "Multi-valued"
    TEXT = "text", "Text"
    PRESS = "press", "Momentary (press)"
    BLOB = "blob", "Data"


S = EntityStateType

# Values that are not readings: the external system does not know right now.
UNKNOWN_VALUES = frozenset({"unknown", "unavailable"})

_BINARY: dict[str, tuple[str, str]] = {
    # state type: (active value, inactive value)
    S.ON_OFF: ("on", "off"),
    S.OPEN_CLOSE: ("open", "closed"),
    S.MOVEMENT: ("active", "idle"),
    S.PRESENCE: ("active", "idle"),
    S.CONNECTIVITY: ("disconnected", "connected"),
    S.HIGH_LOW: ("low", "high"),
    S.SMOKE: ("detected", "clear"),
    S.MOISTURE: ("detected", "clear"),
    S.CO: ("detected", "clear"),
    S.GAS: ("detected", "clear"),
}
_PERCENT = {S.LIGHT_DIMMER, S.SATURATION, S.OPEN_CLOSE_POSITION, S.BATTERY_LEVEL, S.POWER_LEVEL}


def binary_values(state_type: str) -> tuple[str, str] | None:
    """(active, inactive) for two-valued state types, else None."""
    return _BINARY.get(state_type)


PRESS_VALUE = "press"


def event_value(state_type: str) -> str | None:
    """The value whose periods become Events for a plain state transition (None: no events)."""
    pair = _BINARY.get(state_type)
    return pair[0] if pair else None


def default_value_range(state_type: str) -> Any:
    """The value range a state type has unless the integration says otherwise."""
    if state_type in _BINARY:
        active, inactive = _BINARY[state_type]
        return [inactive, active] if state_type != S.CONNECTIVITY else ["connected", "disconnected"]
    if state_type in _PERCENT:
        return {"min": 0, "max": 100}
    if state_type == S.HUE:
        return {"min": 0, "max": 360}
    if state_type == S.COLOR_TEMPERATURE:
        return {"min": 1500, "max": 9000}
    if state_type == S.PRESS:
        return [PRESS_VALUE]
    return None


def is_numeric(state_type: str) -> bool:
    return state_type in _PERCENT or state_type in {
        S.HUE, S.COLOR_TEMPERATURE, S.TEMPERATURE, S.HUMIDITY, S.AIR_PRESSURE, S.WIND_SPEED,
        S.LIGHT_LEVEL, S.ELECTRIC_USAGE, S.CONTINUOUS,
    }


class AttributeValueType(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    DATETIME = "datetime", "Date and time"
    BOOLEAN = "boolean", "Yes/no"
    URL = "url", "Link"
    FILE = "file", "File"


class AttributeSource(models.TextChoices):
    USER = "user", "Added by you"
    INTEGRATION = "integration", "From the integration"
