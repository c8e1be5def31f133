"""How a state reads to a person: an icon, a few words and a tone, from its type, value and units.

Kept free of HTTP and templates so the home page, the entity page and the live stream all agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from hi.apps.entity.enums import UNKNOWN_VALUES, EntityStateType, EntityType, binary_values, is_numeric

S = EntityStateType


@dataclass(frozen=True)
class StateDisplay:
    """What a badge shows: ``tone`` is a Bootstrap colour name (success, secondary, warning, …)."""

    icon: str
    text: str
    tone: str


# Words for each two-valued state type: value -> (words, icon, tone).
_BINARY_WORDS: dict[str, dict[str, tuple[str, str, str]]] = {
    S.ON_OFF: {"on": ("On", "lightbulb-fill", "warning"), "off": ("Off", "lightbulb", "secondary")},
    S.OPEN_CLOSE: {"open": ("Open", "door-open-fill", "warning"), "closed": ("Closed", "door-closed", "secondary")},
    S.MOVEMENT: {"active": ("Motion", "person-walking", "danger"), "idle": ("No motion", "person", "secondary")},
    S.PRESENCE: {"active": ("Present", "person-check-fill", "primary"), "idle": ("Away", "person-dash", "secondary")},
    S.CONNECTIVITY: {"connected": ("Connected", "wifi", "success"),
                     "disconnected": ("Disconnected", "wifi-off", "danger")},
    S.HIGH_LOW: {"high": ("OK", "battery-full", "success"), "low": ("Low", "battery", "danger")},
    S.SMOKE: {"detected": ("Smoke!", "fire", "danger"), "clear": ("Clear", "shield-check", "success")},
    S.MOISTURE: {"detected": ("Wet!", "droplet-fill", "danger"), "clear": ("Dry", "droplet", "success")},
    S.CO: {"detected": ("CO detected!", "exclamation-octagon-fill", "danger"),
           "clear": ("Clear", "shield-check", "success")},
    S.GAS: {"detected": ("Gas detected!", "exclamation-octagon-fill", "danger"),
            "clear": ("Clear", "shield-check", "success")},
}

_NUMERIC_ICONS: dict[str, str] = {
    S.LIGHT_DIMMER: "lightbulb-fill", S.SATURATION: "palette", S.OPEN_CLOSE_POSITION: "arrows-vertical",
    S.BATTERY_LEVEL: "battery-half", S.POWER_LEVEL: "lightning-charge", S.HUE: "palette-fill",
    S.COLOR_TEMPERATURE: "thermometer-sun", S.TEMPERATURE: "thermometer-half", S.HUMIDITY: "moisture",
    S.AIR_PRESSURE: "speedometer2", S.WIND_SPEED: "wind", S.LIGHT_LEVEL: "brightness-high",
    S.ELECTRIC_USAGE: "plug", S.CONTINUOUS: "graph-up",
}
_DEFAULT_UNITS: dict[str, str] = {
    S.LIGHT_DIMMER: "%", S.SATURATION: "%", S.OPEN_CLOSE_POSITION: "%", S.BATTERY_LEVEL: "%",
    S.POWER_LEVEL: "%", S.HUE: "°", S.COLOR_TEMPERATURE: "K",
}

ENTITY_TYPE_ICONS: dict[str, str] = {
    EntityType.LIGHT: "lightbulb", EntityType.SWITCH: "toggle-on", EntityType.FAN: "fan",
    EntityType.LOCK: "lock", EntityType.COVER: "window-split", EntityType.DOOR: "door-closed",
    EntityType.WINDOW: "window", EntityType.THERMOSTAT: "thermometer-half", EntityType.SENSOR: "broadcast",
    EntityType.MOTION_SENSOR: "person-walking", EntityType.CAMERA: "camera-video",
    EntityType.MEDIA_PLAYER: "music-note-beamed", EntityType.SERVER: "hdd-rack",
    EntityType.WEATHER_STATION: "cloud-sun", EntityType.APPLIANCE: "plug", EntityType.ITEM: "box-seam",
    EntityType.VIRTUAL: "diagram-3", EntityType.OTHER: "question-circle",
    EntityType.ALARM_PANEL: "shield-lock", EntityType.PERSON: "person-circle", EntityType.VALVE: "droplet-half",
    EntityType.VACUUM: "robot", EntityType.WATER_HEATER: "thermometer-high", EntityType.HUMIDIFIER: "moisture",
    EntityType.SIREN: "megaphone",
}

# Values whose moment matters ("Motion 2 min ago"): the change time is appended to the words.
_SHOW_AGE_WHEN = {(S.MOVEMENT, "active"), (S.PRESENCE, "active")}


def entity_icon(entity_type: str) -> str:
    return ENTITY_TYPE_ICONS.get(entity_type, "question-circle")


def format_number(value: Any) -> str:
    """21.5 stays 21.5, 21.0 becomes 21, big numbers keep at most one decimal."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number.is_integer():
        return str(int(number))
    return f"{number:.1f}" if abs(number) >= 10 else f"{number:.2f}".rstrip("0").rstrip(".")


def humanize_age(when: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """'just now', '2 min ago', '3 h ago', '4 days ago' — short enough for a badge."""
    if when is None:
        return ""
    seconds = max(0.0, ((now or timezone.now()) - when).total_seconds())
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        return f"{round(seconds / 60)} min ago"
    if seconds < 86400:
        return f"{round(seconds / 3600)} h ago"
    return f"{round(seconds / 86400)} days ago"


def format_duration(seconds: float | None) -> str:
    """A duration as a person says it: '45 s', '3 min 20 s', '2 h 5 min'."""
    if seconds is None:
        return "ongoing"
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days {hours % 24} h"


def format_moment(value: Any, now: dt.datetime | None = None) -> str:
    """An ISO timestamp in the hub's time zone: '13:03' today, 'Nov 22 13:03' on other days."""
    when = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(when, dt.datetime):
        return str(value)
    if timezone.is_naive(when):
        when = timezone.make_aware(when, dt.UTC)
    local, today = timezone.localtime(when), timezone.localtime(now or timezone.now())
    return local.strftime("%H:%M") if local.date() == today.date() else local.strftime("%b %d %H:%M")


# Discrete values whose meaning matters at a glance: value -> (words, icon, tone). Locked and unlocked,
# armed and disarmed, jammed and triggered must never look alike.
_DISCRETE_MEANINGS: dict[str, tuple[str, str, str]] = {
    "locked": ("Locked", "lock-fill", "success"), "unlocked": ("Unlocked", "unlock-fill", "warning"),
    "locking": ("Locking…", "lock", "info"), "unlocking": ("Unlocking…", "unlock", "info"),
    "jammed": ("Jammed!", "exclamation-octagon-fill", "danger"),
    "open": ("Open", "door-open-fill", "warning"), "opening": ("Opening…", "door-open", "info"),
    "closed": ("Closed", "door-closed-fill", "secondary"), "closing": ("Closing…", "door-closed", "info"),
    "disarmed": ("Disarmed", "shield", "secondary"), "armed_home": ("Armed (home)", "shield-lock-fill", "primary"),
    "armed_away": ("Armed (away)", "shield-lock-fill", "primary"),
    "armed_night": ("Armed (night)", "shield-lock-fill", "primary"),
    "arming": ("Arming…", "shield", "info"), "pending": ("Pending…", "hourglass-split", "info"),
    "triggered": ("Alarm!", "bell-fill", "danger"),
    "heat": ("Heating", "fire", "danger"), "cool": ("Cooling", "snow", "info"),
    "heat_cool": ("Heat/cool", "thermometer-half", "primary"), "auto": ("Auto", "magic", "primary"),
    "recording": ("Recording", "record-circle-fill", "danger"), "streaming": ("Streaming", "broadcast", "success"),
}
# Values a system reports but no controller can ask for: never offered as choices.
READ_ONLY_VALUES = frozenset({
    "locking", "unlocking", "jammed", "opening", "closing", "arming", "disarming", "pending", "triggered",
    "unknown", "unavailable", "recording", "streaming",
})
# People's words for state types, where the type says something ('' hides jargon like "Discrete").
_TYPE_WORDS_HIDDEN = {S.DISCRETE, S.CONTINUOUS, S.MULTIVALUED, S.BLOB}


def state_kind_words(state_type: str) -> str:
    """'Temperature', 'Dimmer'; '' for the types that only mean something to a programmer."""
    if state_type in _TYPE_WORDS_HIDDEN:
        return ""
    try:
        return str(S(state_type).label)
    except ValueError:
        return ""


def short_label(state_name: str, entity_name: str) -> str:
    """A state's label on its entity's card: 'Office Heater target temperature' → 'Target temperature'."""
    name, prefix = (state_name or "").strip(), (entity_name or "").strip()
    if prefix and name.lower().startswith(prefix.lower()):
        name = name[len(prefix):].strip(" -:·")
    return name[:1].upper() + name[1:] if name else ""


def _structured_words(value: Any) -> str:
    """A list or object value in a few words ('48 entries'), never its raw content or 'Data'."""
    if isinstance(value, list):
        return "nothing" if not value else f"{len(value)} entr{'y' if len(value) == 1 else 'ies'}"
    if isinstance(value, dict):
        return f"{len(value)} value{'' if len(value) == 1 else 's'}"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def wall_clock(value: Any) -> str:
    """A moment as the household's wall-clock time without an offset ('2026-11-30T07:00:00'), for charts:
    the browser draws such a time as written, whatever zone the browser itself is in. Dates and text
    that is not a moment pass through unchanged."""
    when = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(when, dt.datetime):
        return str(value)
    if timezone.is_naive(when):
        return when.isoformat()
    return timezone.localtime(when).replace(tzinfo=None).isoformat()


# Values whose words are run together or coded (Home Assistant's weather conditions, for one).
_VALUE_WORDS = {"partlycloudy": "Partly cloudy", "clear-night": "Clear night", "lightning-rainy": "Thunderstorm and rain",
                "snowy-rainy": "Sleet", "windy-variant": "Windy and cloudy"}


def _discrete_label(value: Any, value_range: Any) -> str:
    if isinstance(value_range, dict) and str(value) in value_range:
        return str(value_range[str(value)])
    text = str(value)
    return _VALUE_WORDS.get(text.lower()) or text.replace("_", " ").replace("-", " ").capitalize()


def describe_state(state_type: str, value: Any, units: str = "", value_range: Any = None,
                   updated_at: dt.datetime | None = None, now: dt.datetime | None = None) -> StateDisplay:
    """The badge for one state value; unknown or missing values say so plainly."""
    if value is None or (isinstance(value, str) and value.lower() in UNKNOWN_VALUES):
        words = "Unavailable" if isinstance(value, str) and value.lower() == "unavailable" else "Unknown"
        return StateDisplay("question-circle", words, "light")
    if state_type in _BINARY_WORDS:
        key = str(value).lower()
        words, icon, tone = _BINARY_WORDS[state_type].get(key, (str(value).capitalize(), "circle", "light"))
        if (state_type, key) in _SHOW_AGE_WHEN and updated_at is not None:
            words = f"{words} {humanize_age(updated_at, now)}"
        return StateDisplay(icon, words, tone)
    if is_numeric(state_type):
        unit = units or _DEFAULT_UNITS.get(state_type, "")
        number = format_number(value)
        spacer = "" if unit in {"%", "°"} else " "
        text = f"{number}{spacer}{unit}" if unit else number
        tone = "secondary"
        if state_type == S.LIGHT_DIMMER:
            tone = "warning" if _as_float(value) > 0 else "secondary"
            text = "Off" if _as_float(value) <= 0 else text
        elif state_type == S.BATTERY_LEVEL and _as_float(value) < 20:
            tone = "danger"
        return StateDisplay(_NUMERIC_ICONS.get(state_type, "graph-up"), text, tone)
    if state_type == S.DISCRETE:
        meaning = _DISCRETE_MEANINGS.get(str(value).lower())
        if meaning is not None and not (isinstance(value_range, dict) and str(value) in value_range):
            words, icon, tone = meaning
            return StateDisplay(icon, words, tone)
        return StateDisplay("list-ul", _discrete_label(value, value_range), "info")
    if state_type == S.DATETIME:
        return StateDisplay("clock", format_moment(value, now), "secondary")
    if state_type in {S.MULTIVALUED, S.BLOB}:
        return StateDisplay("card-list" if isinstance(value, list | dict) else "info-circle",
                            _structured_words(value), "light")
    return StateDisplay("circle", str(value), "secondary")


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


# -- controls --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ControlSpec:
    """Which widget controls a state: 'toggle', 'slider', 'select' or 'number', with its bounds."""

    kind: str
    options: tuple[tuple[str, str], ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None


# Buttons say what they do where the state's word would read oddly ("Close", not "Closed").
_TOGGLE_VERBS: dict[str, dict[str, str]] = {S.OPEN_CLOSE: {"open": "Open", "closed": "Close"}}


def _settable_words(value: Any) -> str:
    """A choice in a select: the value in words ('heat_cool' → 'Heat cool')."""
    return _discrete_label(value, None)


def _range_bounds(value_range: Any) -> tuple[float | None, float | None]:
    if isinstance(value_range, dict) and ("min" in value_range or "max" in value_range):
        return value_range.get("min"), value_range.get("max")
    return None, None


def _range_step(value_range: Any) -> float | None:
    """The step an integration reported with the range (a thermostat's 0.1 °C, an input_number's 5), when usable."""
    step = value_range.get("step") if isinstance(value_range, dict) else None
    if isinstance(step, bool) or not isinstance(step, int | float) or not 0 < step < float("inf"):
        return None
    return step


def _temperature_step(units: str) -> float:
    """A thermostat's step when its integration reports none: a whole degree Fahrenheit, else half a degree."""
    return 1 if units.strip().upper() in ("°F", "F") else 0.5


def control_spec(state_type: str, value_range: Any = None, units: str = "") -> ControlSpec:
    """The widget a person expects: toggle for on/off and open/close, slider for levels (a volume in % too),
    and so on."""
    if state_type == S.PRESS:
        return ControlSpec("press", options=(("press", "Press"),))
    if state_type in (S.TEXT, S.DATETIME, S.BLOB):
        limits = value_range if isinstance(value_range, dict) else {}
        return ControlSpec("text", minimum=limits.get("min_length"), maximum=limits.get("max_length"))
    pair = binary_values(state_type)
    if pair is not None:
        active, inactive = pair
        words = {value: spec[0] for value, spec in _BINARY_WORDS.get(state_type, {}).items()}
        words.update(_TOGGLE_VERBS.get(state_type, {}))
        return ControlSpec("toggle", options=(
            (inactive, words.get(inactive, inactive.capitalize())),
            (active, words.get(active, active.capitalize())),
        ))
    if state_type == S.DISCRETE or (isinstance(value_range, list | dict) and not _range_bounds(value_range)[1]):
        if isinstance(value_range, dict):
            options = tuple((str(k), str(v)) for k, v in value_range.items() if str(k).lower() not in READ_ONLY_VALUES)
        else:
            options = tuple((str(v), _settable_words(v)) for v in (value_range or [])
                            if str(v).lower() not in READ_ONLY_VALUES)
        values = {value for value, _ in options}
        if {"locked", "unlocked"} <= values:  # a lock: Lock / Unlock, nothing else is ever sent
            return ControlSpec("toggle", options=(("unlocked", "Unlock"), ("locked", "Lock")))
        return ControlSpec("select", options=options)
    low, high = _range_bounds(value_range)
    if state_type in {S.LIGHT_DIMMER, S.SATURATION, S.OPEN_CLOSE_POSITION, S.POWER_LEVEL, S.HUE,
                      S.COLOR_TEMPERATURE}:
        default_high = {S.HUE: 360, S.COLOR_TEMPERATURE: 9000}.get(state_type, 100)
        default_low = 1500 if state_type == S.COLOR_TEMPERATURE else 0
        step = 100 if state_type == S.COLOR_TEMPERATURE else 1
        return ControlSpec("slider", minimum=low if low is not None else default_low,
                           maximum=high if high is not None else default_high, step=step)
    step = _range_step(value_range)
    if state_type == S.CONTINUOUS and units == "%":  # a level such as a speaker's volume
        return ControlSpec("slider", minimum=low if low is not None else 0, maximum=high if high is not None else 100,
                           step=step or 1)
    if state_type == S.TEMPERATURE:  # a thermostat's target: minus and plus by the device's step
        return ControlSpec("stepper", minimum=low, maximum=high, step=step or _temperature_step(units))
    return ControlSpec("number", minimum=low, maximum=high, step=step)
