"""Long-running commands: ``hi run`` (web + worker on one loop), ``hi worker`` and ``hi simulate``."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import importlib
import inspect
import pkgutil
import signal
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .output import note

RECEIVE_BUFFER_BYTES = 32 * 1024  # the kernel doubles it for its bookkeeping: about 64 KB in all


class ServeError(Exception):
    """The server could not start (port taken, bad address); printed as one line."""


def listen_socket(host: str, port: int) -> socket.socket:
    """Bind before starting anything, so a taken port is one clear error instead of a traceback."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ServeError(f"cannot use host {host!r}: {exc.strerror}") from exc
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # A small receive buffer (accepted connections inherit it) bounds what one read can take off the socket
    # before the body-limit layer answers an oversized upload: the 413 goes out having read under 64 KB
    # (bench/body_limits.py: 48 KB). The TCP window it allows (tens of KB) is window/RTT: tens of MB/s on a
    # LAN (1 ms), a few MB/s over a slow Wi-Fi link (10 ms) - seconds for a 16 MB floor plan, at worst.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _static_fingerprint() -> str:
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list([]):
            full = Path(storage.path(path))
            stat = full.stat()
            digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size}\n".encode())
    return digest.hexdigest()


def ensure_static() -> None:
    """Run collectstatic quietly when the app's static files changed since the last run."""
    from django.conf import settings
    from django.core.management import call_command

    marker = Path(settings.STATIC_ROOT) / ".hi-static-fingerprint"
    fingerprint = _static_fingerprint()
    if marker.exists() and marker.read_text() == fingerprint:
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(fingerprint)


def _stop_on_signals(stop: Callable[[], None]) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop)


async def serve(sock: socket.socket, with_worker: bool = True, on_started: Callable[[], None] | None = None,
                log_level: str = "info") -> None:
    """uvicorn serving the ASGI app, plus the worker, on this loop; SIGINT/SIGTERM stop both cleanly."""
    import uvicorn

    from hi.apps.monitor.worker import Supervisor, run_worker
    from hi.asgi import application

    class _Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:  # our own handlers stop web and worker together
            yield

    config = uvicorn.Config(application, lifespan="off", log_level=log_level, access_log=False,
                            timeout_graceful_shutdown=3)
    server = _Server(config)
    supervisor = Supervisor() if with_worker else None
    stopping = asyncio.Event()

    def stop() -> None:
        from hi.apps.sense.live.sse import close_streams

        stopping.set()
        close_streams()  # open browser streams end now, so shutdown takes moments and prints no errors
        server.should_exit = True
        if supervisor is not None:
            supervisor.stop()

    _stop_on_signals(stop)
    tasks = [asyncio.create_task(server.serve(sockets=[sock]), name="web")]
    if supervisor is not None:
        # the worker's own entry point, so ``hi run`` stops it exactly as ``hi worker`` does
        tasks.append(asyncio.create_task(run_worker(supervisor, install_signals=False), name="worker"))
    if on_started is not None:
        on_started()
    done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    stop()  # whichever ended first, the other follows
    await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        if task.exception() is not None and not stopping.is_set():
            raise ServeError(f"{task.get_name()} stopped unexpectedly: {task.exception()}")


def run_worker() -> None:
    from hi.apps.monitor.worker import run_worker as supervise

    asyncio.run(supervise(on_started=lambda: note("running", "hi worker running; Ctrl-C to stop")))


# -- simulators ----------------------------------------------------------------------------------
def simulator_names() -> list[str]:
    """The modules of ``hi.simulator`` that declare ``SIMULATOR`` (helpers and tests do not)."""
    import hi.simulator as package

    names = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name in {"base", "faults", "tests"} or info.name.startswith("_"):
            continue
        if getattr(importlib.import_module(f"hi.simulator.{info.name}"), "SIMULATOR", None) is not None:
            names.append(info.name)
    return sorted(names)


def simulator_class(name: str) -> type[Any]:
    """``SIMULATOR`` in ``hi.simulator.<name>``, else the module's one SimulatorBase subclass."""
    from hi.simulator.base import SimulatorBase

    known = simulator_names()
    if name not in known:
        raise ServeError(f"unknown simulator {name!r}; known: {', '.join(known) or 'none'}")
    module = importlib.import_module(f"hi.simulator.{name}")
    found = getattr(module, "SIMULATOR", None)
    if found is None:
        candidates = [obj for obj in vars(module).values()
                      if inspect.isclass(obj) and issubclass(obj, SimulatorBase) and obj is not SimulatorBase]
        found = candidates[0] if len(candidates) == 1 else None
    if found is None:
        raise ServeError(f"hi.simulator.{name} does not declare SIMULATOR = <its simulator class>")
    return found


def make_simulator(name: str, port: int = 0, profile: str | None = None, host: str = "127.0.0.1") -> Any:
    cls = simulator_class(name)
    profile = profile or cls.profiles[0]
    if profile not in cls.profiles:
        raise ServeError(f"unknown profile {profile!r} for {name}; choose from {', '.join(cls.profiles)}")
    return cls(profile=profile, host=host, port=port)


def run_simulator(name: str, port: int, profile: str | None, host: str = "127.0.0.1") -> None:
    simulator = make_simulator(name, port, profile, host)

    async def main() -> None:
        stop = asyncio.Event()
        _stop_on_signals(stop.set)
        try:
            await simulator.start()
        except OSError as exc:
            raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        note("running", f"{name} simulator ({simulator.profile}) at {simulator.url}; Ctrl-C to stop",
             name=name, profile=simulator.profile, url=simulator.url)
        try:
            await stop.wait()
        finally:
            await simulator.stop()

    asyncio.run(main())
