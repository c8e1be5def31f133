"""The sync engine: integrations describe, the framework plans and applies."""
