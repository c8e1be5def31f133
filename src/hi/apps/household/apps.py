from django.apps import AppConfig


class HouseholdConfig(AppConfig):
    """Settings a household changes in the UI (time zone first); others add their own keys."""

    name = "hi.apps.household"
    label = "household"
