"""One instance per class, process-wide: the single helper for every shared object in hi.

Two ways in, one registry: a gateway subclasses ``Singleton`` (calling the class returns the shared
instance, so code can say ``HassGateway()``); a class that tests also build privately (the pipeline,
the live bus and bridge) stays a plain class and its process-wide instance is ``shared(cls)``.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar, TypeVar

T = TypeVar("T")

_instances: dict[type, Any] = {}
_lock = threading.RLock()


def shared(cls: type[T]) -> T:
    """The process-wide instance of ``cls``, built on first use (thread-safe)."""
    with _lock:
        if cls not in _instances:
            _instances[cls] = cls()
        return _instances[cls]


def forget(cls: type) -> None:
    """Drop the shared instance of ``cls`` (tests); the next use builds a new one."""
    with _lock:
        _instances.pop(cls, None)


class Singleton:
    """Subclasses get one shared instance; ``reset_instance`` exists for tests."""

    _singleton_initialized: ClassVar[bool] = False

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        with _lock:
            if cls not in _instances:
                instance = super().__new__(cls)
                instance._singleton_initialized = False
                _instances[cls] = instance
            return _instances[cls]

    def __init__(self) -> None:
        with _lock:
            if self._singleton_initialized:
                return
            self._singleton_initialized = True
        self.init_singleton()

    def init_singleton(self) -> None:
        """Runs once per class instead of ``__init__``."""

    @classmethod
    def reset_instance(cls) -> None:
        forget(cls)
