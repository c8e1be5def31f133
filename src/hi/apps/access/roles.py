"""Roles of people, scopes of tokens, and the permission levels both map to.

A permission is a level: ``READ`` < ``CONTROL`` < ``ADMIN``. A role grants up to one level (viewer → READ,
member → CONTROL, admin → ADMIN), a token's scope too (read, control, admin); a token acts with the narrower
of its scope and its user's role, so lowering a person's role lowers every token they hold at once.
Two levels are not ranks but markers: ``PUBLIC`` (no credentials at all) and ``SELF`` (any signed-in person
managing their own things, e.g. their tokens; a token needs admin scope for it, so a leaked read token cannot
mint a wider one).
"""

from __future__ import annotations

from enum import IntEnum

from django.db import models


class Perm(IntEnum):
    """What a route or command needs; the integer order is the READ < CONTROL < ADMIN ranking."""

    PUBLIC = 0
    SELF = 1
    READ = 2
    CONTROL = 3
    ADMIN = 4


class Role(models.TextChoices):
    ADMIN = "admin", "admin"
    MEMBER = "member", "member"
    VIEWER = "viewer", "viewer"


class Scope(models.TextChoices):
    READ = "read", "read"
    CONTROL = "control", "control"
    ADMIN = "admin", "admin"


ROLE_LEVEL: dict[str, Perm] = {Role.ADMIN: Perm.ADMIN, Role.MEMBER: Perm.CONTROL, Role.VIEWER: Perm.READ}
SCOPE_LEVEL: dict[str, Perm] = {Scope.ADMIN: Perm.ADMIN, Scope.CONTROL: Perm.CONTROL, Scope.READ: Perm.READ}
ROLE_SCOPE: dict[str, str] = {Role.ADMIN: Scope.ADMIN, Role.MEMBER: Scope.CONTROL, Role.VIEWER: Scope.READ}


def default_role(*, is_superuser: bool, is_staff: bool) -> str:
    """The role a user gets when none was chosen (a migrated or admin-site user): staff → admin, others → member."""
    return Role.ADMIN if (is_superuser or is_staff) else Role.MEMBER


def grants(level: Perm, needed: Perm, *, via_token: bool) -> bool:
    """Whether an effective level satisfies a need; ``SELF`` is any person, or a token of admin scope."""
    if needed == Perm.PUBLIC:
        return True
    if needed == Perm.SELF:
        return level >= (Perm.ADMIN if via_token else Perm.READ)
    return level >= needed
