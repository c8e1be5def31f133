"""A HomeBox simulator in either API generation: profiles ``demo`` (v0.26 entities API), ``legacy``
(v0.10.3 items API with labels, the archived ``hay-kot`` lineage) and ``scale`` (many items).

``version=`` picks any release (``v0.23.0`` speaks items with tags and rate-limits logins). Tests
change the inventory through ``sim.state`` and count requests with ``sim.api.requests``.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from typing import ClassVar

from aiohttp import web

from hi.simulator.base import SimulatorBase

from .server import HomeBoxApi
from .state import HomeBoxState

USERNAME = "admin@example.com"
PASSWORD = "homebox-demo-pass"
API_KEY = "hb_simulated-api-key-0123456789"
VERSIONS = {"demo": "v0.26.2", "legacy": "v0.10.3", "scale": "v0.26.2"}
# the demo home: (name, location, tags, manufacturer, model, warranty in days from today (None: none), price)
DEMO_APPLIANCES = (
    ("Dishwasher", "Kitchen", ["Appliance"], "Bosch", "SHX78B75UC", 400, 899.0),
    ("Refrigerator", "Kitchen", ["Appliance"], "LG", "LRFXS2503S", 20, 1799.0),
    ("Microwave", "Kitchen", ["Appliance"], "Panasonic", "NN-SN966S", -30, 199.0),
    ("Washing machine", "Laundry", ["Appliance"], "Miele", "WWH860", 700, 1649.0),
    ("Furnace", "Basement", ["HVAC"], "Carrier", "59MN7", 2500, 4200.0),
    ("Living room TV", "Living room", ["Electronics"], "Sony", "XR-65A80L", 75, 1999.0),
    ("Network storage", "Office", ["Electronics", "Server"], "Synology", "DS923+", 300, 599.0),
    ("Cordless drill", "Garage", ["Tools"], "DeWalt", "DCD791", None, 149.0),
)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def solid_png(rgb: tuple[int, int, int], size: int = 96) -> bytes:
    """A small one-colour PNG (a stand-in product photo) built by hand: signature, IHDR, IDAT, IEND."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG = solid_png((70, 130, 180))


class HomeBoxSimulator(SimulatorBase):
    name: ClassVar[str] = "homebox"
    profiles: ClassVar[tuple[str, ...]] = ("demo", "legacy", "scale")

    def __init__(self, profile: str = "demo", host: str = "127.0.0.1", port: int = 0, *,
                 version: str | None = None, username: str = USERNAME, password: str = PASSWORD,
                 token_lifetime: float | None = None, items: int | None = None, attachments: int | None = None,
                 today: dt.date | None = None) -> None:
        super().__init__(profile=profile, host=host, port=port)
        self.version = version or VERSIONS[profile]
        self.username = username
        self.password = password
        self.token_lifetime = token_lifetime
        self.item_count = items if items is not None else (5000 if profile == "scale" else None)
        self.attachment_count = attachments if attachments is not None else (2000 if profile == "scale" else 0)
        self.today = today or dt.date.today()
        self.state = self._fresh_state()
        self.api = HomeBoxApi(self.state)

    def _fresh_state(self) -> HomeBoxState:
        state = HomeBoxState(self.version, users={self.username: self.password},
                             api_keys={API_KEY: self.username}, token_lifetime=self.token_lifetime)
        if self.item_count is None:
            self._demo(state)
        else:
            self._scale(state, self.item_count, self.attachment_count)
        return state

    def _demo(self, state: HomeBoxState) -> None:
        home = state.add_location("Home")
        places = {name: state.add_location(name, home) for name in
                  ("Kitchen", "Laundry", "Basement", "Living room", "Office", "Garage")}
        for name, place, tags, maker, model, warranty_days, price in DEMO_APPLIANCES:
            warranty = self.today + dt.timedelta(days=warranty_days) if warranty_days is not None else None
            item = state.add_item(
                name, places[place], tags=list(tags), manufacturer=maker, model_number=model,
                serial_number=f"{maker[:3].upper()}-{zlib.crc32(name.encode()) % 10**8:08d}", warranty_expires=warranty,
                warranty_details="Manufacturer warranty" if warranty else "", purchase_price=price,
                purchase_date=self.today - dt.timedelta(days=365), purchase_from="Appliance Store",
                insured=price > 1000, entity_type="Appliance" if "Appliance" in tags else "Item",
                fields=[{"type": "text", "name": "Energy rating", "textValue": "A+", "numberValue": 0,
                         "booleanValue": False}])
            state.add_attachment(item.id, f"{name} manual.pdf", "manual", "application/pdf", PDF)
            colour = (60 + zlib.crc32(name.encode()) % 160, 90 + len(name) * 7 % 120, 140 + len(maker) * 11 % 100)
            state.add_attachment(item.id, f"{name}.png", "photo", "image/png", solid_png(colour), primary=True)
            if warranty:
                state.add_attachment(item.id, f"{name} receipt.pdf", "receipt", "application/pdf", PDF)
        drill = next(i for i in state.items.values() if i.name == "Cordless drill")
        state.add_attachment(drill.id, "Manufacturer page", "attachment", link_url="https://www.example.com/dcd791")

    def _scale(self, state: HomeBoxState, count: int, attachments: int) -> None:
        rooms = [state.add_location(f"Room {n:02d}") for n in range(1, 21)]
        shelves = [state.add_location(f"Shelf {n}", rooms[n % len(rooms)]) for n in range(60)]
        items = [state.add_item(f"Item {n:05d}", shelves[n % len(shelves)], tags=["Appliance"] if n % 7 == 0 else [],
                                serial_number=f"SN{n:07d}", manufacturer="Acme", model_number=f"M{n % 50}",
                                warranty_expires=self.today + dt.timedelta(days=n % 1000), purchase_price=n % 500)
                 for n in range(count)]
        for n in range(min(attachments, count * 3)):
            state.add_attachment(items[n % count].id, f"Manual {n}.pdf", "manual", "application/pdf", PDF)

    def integration_attributes(self) -> dict[str, str]:
        """What to configure the ``homebox`` integration with to use this simulator."""
        return {"api_url": self.url, "username": self.username, "password": self.password}

    def setup_routes(self, app: web.Application) -> None:
        self.api.routes(app)

    def reset_state(self) -> None:
        self.state = self._fresh_state()
        self.api.state = self.state


SIMULATOR = HomeBoxSimulator
