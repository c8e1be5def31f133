"""Alarms: rules over entity states, security modes, persisted alerts and notifications."""
