"""Developer and demo settings: debug pages on, everything else as in production."""

from .base import *  # noqa: F403

DEBUG = True
