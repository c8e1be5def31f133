"""Who may do what: roles (admin, member, viewer), token scopes, and the one map from routes and CLI commands to
the permission each needs (``rules.py``), enforced by ``middleware.AccessMiddleware`` and the CLI."""
