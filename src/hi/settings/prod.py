"""The settings a household runs with (``make run``, the ``hi`` command)."""

from .base import *  # noqa: F403
