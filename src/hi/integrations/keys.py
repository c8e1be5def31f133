"""The integration key: which integration (``integration_id``) and which external thing (``integration_name``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IntegrationKey:
    integration_id: str
    integration_name: str

    def __post_init__(self) -> None:
        if not self.integration_id or ":" in self.integration_id:
            raise ValueError(f"invalid integration id {self.integration_id!r}")
        if not self.integration_name:
            raise ValueError("an integration key needs a name")

    def __str__(self) -> str:
        return f"{self.integration_id}:{self.integration_name}"

    @classmethod
    def parse(cls, text: str) -> IntegrationKey:
        """Parse ``id:name``; the name may itself contain colons."""
        integration_id, sep, name = (text or "").partition(":")
        if not sep:
            raise ValueError(f"not an integration key (expected ID:NAME): {text!r}")
        return cls(integration_id.strip(), name.strip())
