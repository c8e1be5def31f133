"""Signals of the integration framework, so the worker hears lifecycle changes without the framework importing it."""

from django.dispatch import Signal

# Sent after commit whenever an integration's lifecycle status or configuration changes
# (kwargs: integration_id). A worker in the same process reacts at once instead of at its next poll.
integration_changed = Signal()

# Sent inside ``apply_sync``'s transaction after the plan is written (kwargs: integration_id), so apps
# that derive rows from the model (the alarm layer's default rules) do so in the same commit.
sync_applied = Signal()
