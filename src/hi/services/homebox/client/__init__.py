"""HomeBox client library: typed access to both API generations, no Django (testable on its own)."""

from .api import ENTITIES, INTEGRATION_ID, ITEMS_LABELS, ITEMS_TAGS, Generation, HomeBoxClient, generation_for
from .models import Attachment, CustomField, ItemDetail, ItemSummary, Status
from .session import HomeBoxSettings, Session, latest_session, reset_sessions, session_for, sessions

__all__ = [
    "ENTITIES", "INTEGRATION_ID", "ITEMS_LABELS", "ITEMS_TAGS", "Attachment", "CustomField", "Generation",
    "HomeBoxClient", "HomeBoxSettings", "ItemDetail", "ItemSummary", "Session", "Status", "generation_for",
    "latest_session", "reset_sessions", "session_for", "sessions",
]
