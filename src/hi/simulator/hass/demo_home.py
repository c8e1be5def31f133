"""The rest of the demo home: one or more entities of every domain hi maps, and the home's registries.

``extra_demo_seeds`` adds the alarm panel, presence, water heater, valve, vacuum and the helpers
(numbers, selects, texts, buttons…) plus service-only entities (tts, conversation…) and one domain
hi has never heard of, so the importer's exclusions can be seen. ``demo_registry`` groups the demo's
states into devices with areas and floors, leaves some without a device, disables one and hides one.
``scale_registry`` does the same for the 5,000-entity home.
"""

from __future__ import annotations

import re
from typing import Any

from .registry import DeviceSeed, RegistrySeed

Seed = tuple[str, str, dict[str, Any]]
ALARM_CODE = "58210937"  # the simulated panel's code (a test fixture, not a secret of anyone's)


def reveals_alarm_code(text: str) -> bool:
    """Whether ``text`` shows the panel's code as a number of its own (not inside an id like ``158210937``)."""
    return re.search(rf"(?<![0-9]){ALARM_CODE}(?![0-9])", text) is not None


def _seed(eid: str, state: str, **attrs: Any) -> Seed:
    name = eid.partition(".")[2].replace("_", " ").title()
    return eid, state, {"friendly_name": name, **attrs}


def extra_demo_seeds() -> list[Seed]:
    """Every domain beyond the original demo's, with the attributes Home Assistant gives them."""
    return [
        _seed("alarm_control_panel.security", "disarmed", code_format="number", code_arm_required=True,
              changed_by=None, supported_features=63),
        _seed("person.sam", "not_home", source="device_tracker.sam_phone", user_id=None, id="sam"),
        _seed("device_tracker.alex_phone", "home", source_type="gps", gps_accuracy=12, latitude=52.37,
              longitude=4.89, battery_level=81),
        _seed("device_tracker.sam_phone", "Work", source_type="gps", gps_accuracy=30, latitude=52.30,
              longitude=4.95, battery_level=55),
        _seed("zone.home", "1", latitude=52.37, longitude=4.89, radius=100, passive=False, persons=["person.alex"]),
        _seed("zone.work", "1", latitude=52.30, longitude=4.95, radius=200, passive=False, persons=["person.sam"],
              friendly_name="Work"),
        _seed("water_heater.boiler", "eco", min_temp=30, max_temp=70, current_temperature=55, temperature=58,
              operation_list=["eco", "electric", "performance", "off"], operation_mode="eco", away_mode="off",
              supported_features=15),
        _seed("humidifier.bedroom_humidifier", "on", min_humidity=30, max_humidity=80, humidity=45,
              current_humidity=41, available_modes=["normal", "eco", "sleep"], mode="normal", action="humidifying",
              supported_features=1),
        _seed("valve.main_water", "open", current_position=100, supported_features=15, device_class="water"),
        _seed("valve.garden_irrigation", "closed", supported_features=3, device_class="water"),
        _seed("vacuum.robot", "docked", battery_level=100, fan_speed="standard",
              fan_speed_list=["quiet", "standard", "max"], supported_features=16383),
        _seed("siren.hallway_siren", "off", available_tones=["alarm", "chime"], supported_features=31),
        _seed("number.dishwasher_delay", "0", min=0, max=24, step=1, mode="slider", unit_of_measurement="h"),
        _seed("input_number.target_humidity", "45.0", min=30, max=70, step=0.5, mode="slider",
              unit_of_measurement="%", initial=None, editable=True),
        _seed("select.washer_program", "cotton", options=["cotton", "synthetics", "wool", "quick"]),
        _seed("input_select.house_mode", "home", options=["home", "away", "night", "vacation"], editable=True),
        _seed("text.welcome_message", "Welcome home", min=0, max=64, pattern=None, mode="text"),
        _seed("input_text.shopping_note", "milk", min=0, max=100, pattern=None, mode="text", editable=True),
        _seed("text.guest_wifi_password", "hunter22", min=8, max=63, pattern=None, mode="password"),
        _seed("button.router_restart", "unknown", device_class="restart"),
        _seed("input_button.doorbell_test", "unknown", editable=True),
        _seed("scene.movie_night", "unknown", entity_id=["light.living_room"], id="movie_night"),
        _seed("script.good_night", "off", last_triggered=None, mode="single", current=0),
        _seed("automation.porch_light_at_sunset", "on", id="1732990000001", last_triggered="2026-11-29T16:31:04+00:00",
              mode="single", current=0),
        _seed("automation.holiday_lights", "off", id="1732990000002", last_triggered=None, mode="restart", current=0),
        _seed("schedule.heating_hours", "on", next_event="2026-11-30T22:00:00+00:00", editable=True),
        _seed("date.garbage_day", "2026-12-02"),
        _seed("time.wake_up", "06:45:00"),
        _seed("datetime.boiler_service", "2027-03-01T09:00:00+00:00"),
        _seed("input_datetime.holiday_start", "2026-12-20 08:00:00", has_date=True, has_time=True, editable=True,
              year=2026, month=12, day=20, hour=8, minute=0, second=0, timestamp=1797494400),
        _seed("counter.guests", "2", initial=0, step=1, minimum=0, maximum=20, editable=True),
        _seed("timer.laundry", "idle", duration="0:45:00", editable=True),
        _seed("update.router_firmware", "on", installed_version="1.2.0", latest_version="1.3.0",
              in_progress=False, title="Router firmware", release_summary="Fixes", auto_update=False,
              skipped_version=None, supported_features=1),
        _seed("weather.home", "partlycloudy", temperature=12.4, temperature_unit="°C", humidity=71,
              pressure=1013.2, pressure_unit="hPa", wind_speed=13.0, wind_speed_unit="km/h", wind_bearing=240,
              visibility_unit="km", precipitation_unit="mm", supported_features=3),
        _seed("event.doorbell_button", "unknown", event_types=["pressed", "double_pressed"], event_type=None,
              device_class="doorbell"),
        _seed("air_quality.living_room", "14", particulate_matter_10=21, carbon_dioxide=612,
              unit_of_measurement="µg/m³"),
        _seed("image.front_yard_snapshot", "2026-11-20T06:12:00+00:00", access_token="sim-image-token",
              entity_picture="/api/image_proxy/image.front_yard_snapshot?token=sim-image-token"),
        _seed("calendar.household", "off", message="Dentist", all_day=False,
              start_time="2026-12-01 10:00:00", end_time="2026-12-01 11:00:00", location="", description=""),
        _seed("todo.shopping_list", "3", supported_features=15),
        _seed("remote.living_room_tv", "on", activity_list=["TV", "Music"], current_activity="TV"),
        _seed("lawn_mower.garden_mower", "docked", supported_features=7),
        _seed("geo_location.storm_cell", "12.5", latitude=52.5, longitude=4.7, source="sim",
              unit_of_measurement="km"),
        _seed("switch.garden_pump_child_lock", "off"),
        # service-only entities (no state worth importing) and a domain hi does not know
        _seed("tts.piper", "unknown"), _seed("stt.whisper", "unknown"),
        _seed("conversation.home_assistant", "unknown"), _seed("notify.family", "unknown"),
        _seed("wake_word.openwakeword", "unknown"), _seed("assist_satellite.kitchen", "idle"),
        _seed("hologram.projector", "beaming"),
    ]


_AREAS = [("kitchen", "Kitchen", "ground"), ("living_room", "Living room", "ground"),
          ("hallway", "Hallway", "ground"), ("garage", "Garage", "ground"), ("garden", "Garden", None),
          ("bedroom", "Bedroom", "first"), ("office", "Office", "first"), ("utility", "Utility room", "ground")]
_DEVICES: list[DeviceSeed] = [
    ("dev_kitchen_light", "Kitchen ceiling light", "kitchen", "Signify", "Hue White and Color", ("light.kitchen",)),
    ("dev_coffee", "Coffee maker plug", "kitchen", "Shelly", "Plug S",
     ("switch.coffee_maker", "sensor.coffee_maker_power")),
    ("dev_kitchen_motion", "Kitchen motion sensor", "kitchen", "Aqara", "RTCGQ11LM",
     ("binary_sensor.kitchen_motion", "sensor.kitchen_motion_battery", "sensor.kitchen_motion_illuminance",
      "binary_sensor.kitchen_motion_low_battery")),
    ("dev_front_lock", "Front door lock", "hallway", "Nuki", "Smart Lock 4",
     ("lock.front_door", "sensor.front_door_battery", "binary_sensor.front_door_contact")),
    ("dev_thermostat", "Hallway thermostat", "hallway", "Tado", "Smart Thermostat",
     ("climate.thermostat", "sensor.thermostat_humidity")),
    ("dev_living_climate", "Living room climate sensor", "living_room", "Aqara", "WSDCGQ11LM",
     ("sensor.living_room_temperature", "sensor.living_room_humidity", "air_quality.living_room")),
    ("dev_tv", "Living room TV", "living_room", "LG", "OLED55", ("media_player.living_room_tv",
                                                               "remote.living_room_tv")),
    ("dev_alarm", "Alarm panel", "hallway", "Ajax", "Hub 2",
     ("alarm_control_panel.security", "siren.hallway_siren")),
    ("dev_router", "Router", "office", "AVM", "FRITZ!Box 7590",
     ("binary_sensor.internet", "button.router_restart", "update.router_firmware", "sensor.router_uptime",
      "sensor.router_signal")),
    ("dev_boiler", "Boiler", "utility", "Vaillant", "ecoTEC", ("water_heater.boiler", "datetime.boiler_service")),
    ("dev_water", "Main water valve", "utility", "Flo", "Shutoff", ("valve.main_water",
                                                                    "binary_sensor.basement_leak")),
    ("dev_irrigation", "Garden irrigation", "garden", "Gardena", "Smart Water Control",
     ("valve.garden_irrigation", "switch.garden_pump", "switch.garden_pump_child_lock")),
    ("dev_vacuum", "Robot vacuum", "living_room", "Roborock", "S8", ("vacuum.robot",)),
    ("dev_humidifier", "Bedroom humidifier", "bedroom", "Levoit", "LV600S", ("humidifier.bedroom_humidifier",)),
    ("dev_washer", "Washing machine", "utility", "Miele", "W1",
     ("select.washer_program", "sensor.washing_machine_status", "number.dishwasher_delay")),
    ("dev_alex_phone", "Alex's phone", None, "Google", "Pixel 8", ("device_tracker.alex_phone",)),
    ("dev_sam_phone", "Sam's phone", None, "Apple", "iPhone 15", ("device_tracker.sam_phone",)),
    ("dev_doorbell", "Doorbell", "hallway", "Ring", "Video Doorbell", ("event.doorbell_button",
                                                                      "binary_sensor.doorbell")),
    ("dev_front_cam", "Front yard camera", "garden", "Reolink", "RLC-810A",
     ("camera.front_yard", "image.front_yard_snapshot")),
    ("dev_mower", "Garden mower", "garden", "Husqvarna", "Automower 430X", ("lawn_mower.garden_mower",)),
]


def demo_registry() -> RegistrySeed:
    """Devices with areas on two floors; helpers and a few sensors without a device; one disabled, one hidden."""
    return RegistrySeed(
        floors=[("ground", "Ground floor", 0), ("first", "First floor", 1)],
        areas=list(_AREAS), devices=list(_DEVICES),
        disabled={"sensor.router_signal": ""},
        hidden=("switch.garden_pump_child_lock",),
        entity_areas={"light.bedroom": "bedroom", "light.office": "office", "cover.bedroom_curtains": "bedroom",
                      "binary_sensor.front_door_contact": "hallway"},
        no_entry=("input_boolean.guest_mode",),
        labels=[("security", "Security"), ("energy", "Energy")])


def scale_registry(seeds: list[Seed], rooms_per_floor: int = 100) -> RegistrySeed:
    """One area per room (on floors of ``rooms_per_floor``), a device per plug/lock/light, motion + battery as one."""
    rooms = sorted({entity_id.partition(".")[2].partition("_")[0] for entity_id, _, _ in seeds})
    floors = [(f"floor{index:02d}", f"Floor {index}", index) for index in range(len(rooms) // rooms_per_floor + 1)]
    areas = [(room, room.title(), f"floor{index // rooms_per_floor:02d}") for index, room in enumerate(rooms)]
    devices: dict[str, list[str]] = {}
    for entity_id, _, _ in seeds:
        object_id = entity_id.partition(".")[2]
        if entity_id.startswith("input_boolean."):
            continue  # helpers have no device
        base = object_id.removesuffix("_battery")
        devices.setdefault(base, []).append(entity_id)
    return RegistrySeed(
        floors=floors, areas=areas,
        devices=[(f"dev_{base}", base.replace("_", " ").title(), base.partition("_")[0], "Sim", "Scale",
                  tuple(members)) for base, members in devices.items()])
