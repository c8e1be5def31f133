"""The operations layer: what the web UI, the REST API and the CLI do, written once.

``actions`` changes things (configure, lifecycle, sync, control) and reads health; ``queries`` looks
things up by id or key. Faces translate the typed results and exceptions into pages, JSON or text.
"""
