"""One instance per class: gateways hold connections and state that must not be duplicated."""

from __future__ import annotations

import threading
from typing import Any, ClassVar


class Singleton:
    """Subclasses get one shared instance; ``reset_instance`` exists for tests."""

    _instances: ClassVar[dict[type, Any]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        with Singleton._lock:
            if cls not in Singleton._instances:
                instance = super().__new__(cls)
                instance._singleton_initialized = False
                Singleton._instances[cls] = instance
            return Singleton._instances[cls]

    def __init__(self) -> None:
        if getattr(self, "_singleton_initialized", False):
            return
        self._singleton_initialized = True
        self.init_singleton()

    def init_singleton(self) -> None:
        """Runs once per class instead of ``__init__``."""

    @classmethod
    def reset_instance(cls) -> None:
        with Singleton._lock:
            Singleton._instances.pop(cls, None)
