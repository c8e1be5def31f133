"""API tokens moved to ``hi.apps.access.models`` (with roles); these names stay importable from here."""

from hi.apps.access.models import TOKEN_PREFIX, ApiToken, TokenError, clean_token_name, hash_token

__all__ = ["TOKEN_PREFIX", "ApiToken", "TokenError", "clean_token_name", "hash_token"]
