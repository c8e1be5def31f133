"""HTTP-level protection shared by every route: body limits (ASGI layer) and security headers."""
