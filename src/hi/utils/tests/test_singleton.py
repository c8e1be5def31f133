"""One registry for shared instances: gateway-style singletons and ``shared(cls)`` for plain classes."""

from __future__ import annotations

import threading

from hi.utils.singleton import Singleton, forget, shared


class Counter:
    built = 0

    def __init__(self) -> None:
        Counter.built += 1


class Gateway(Singleton):
    def init_singleton(self) -> None:
        self.opened = getattr(self, "opened", 0) + 1


def test_shared_builds_once_even_when_threads_race_and_forget_starts_over():
    forget(Counter)
    Counter.built = 0
    seen: list[Counter] = []
    threads = [threading.Thread(target=lambda: seen.append(shared(Counter))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter.built == 1 and all(item is seen[0] for item in seen)
    assert Counter() is not seen[0], "the class itself stays free to build private instances"
    forget(Counter)
    assert shared(Counter) is not seen[0]


def test_a_singleton_class_returns_its_instance_and_initialises_it_once():
    Gateway.reset_instance()
    first, second = Gateway(), Gateway()
    assert first is second and first.opened == 1
    Gateway.reset_instance()
    assert Gateway() is not first
