"""Simulated NWS alerts and a script that raises and clears them on the simulator's clock."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

_ids = itertools.count(1)


@dataclass
class SimAlert:
    event: str
    severity: str = "Severe"
    urgency: str = "Immediate"
    certainty: str = "Observed"
    headline: str = ""
    starts: dt.datetime | None = None  # None: active from now
    expires: dt.datetime | None = None
    status: str = "Actual"
    message_type: str = "Alert"
    id: str = field(default_factory=lambda: f"urn:oid:2.49.0.1.840.0.sim.{next(_ids)}")

    def active(self, now: dt.datetime) -> bool:
        return (self.starts is None or self.starts <= now) and (self.expires is None or self.expires > now)

    def feature(self, base: str, now: dt.datetime) -> dict[str, Any]:
        onset = self.starts or now
        return {
            "id": f"{base}/alerts/{self.id}", "type": "Feature",
            "properties": {
                "id": self.id, "areaDesc": "Simulated County", "sent": onset.isoformat(), "effective": onset.isoformat(),
                "onset": onset.isoformat(), "expires": self.expires.isoformat() if self.expires else None,
                "ends": self.expires.isoformat() if self.expires else None, "status": self.status,
                "messageType": self.message_type, "category": "Met", "severity": self.severity,
                "certainty": self.certainty, "urgency": self.urgency, "event": self.event,
                "senderName": "NWS Simulated Office", "headline": self.headline or f"{self.event} issued by NWS",
                "description": f"The simulator has issued a {self.event}.",
                "instruction": "Follow the simulator's advice.", "response": "Shelter",
            },
        }


def demo_script(start: dt.datetime) -> list[SimAlert]:
    """The demo's storm: a moderate advisory, then a severe warning that ends before the advisory does."""
    return [
        SimAlert("Wind Advisory", severity="Moderate", urgency="Expected", certainty="Likely",
                 starts=start + dt.timedelta(minutes=1), expires=start + dt.timedelta(minutes=30)),
        SimAlert("Severe Thunderstorm Warning", severity="Severe", urgency="Immediate",
                 starts=start + dt.timedelta(minutes=3), expires=start + dt.timedelta(minutes=15)),
    ]
