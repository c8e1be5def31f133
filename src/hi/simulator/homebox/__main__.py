"""``python -m hi.simulator.homebox [--profile demo|legacy|scale] [--items N] [--attachments N]``.

Serves and prints the URL on the first line; the bench runs the simulator in its own process this
way so serving does not share the measured interpreter.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from . import HomeBoxSimulator


async def _serve(profile: str, port: int, items: int | None, attachments: int | None, version: str | None) -> None:
    simulator = HomeBoxSimulator(profile, port=port, items=items, attachments=attachments, version=version)
    await simulator.start()
    print(simulator.url, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await simulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m hi.simulator.homebox")
    parser.add_argument("--profile", default="demo", choices=HomeBoxSimulator.profiles)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--items", type=int, default=None)
    parser.add_argument("--attachments", type=int, default=None)
    parser.add_argument("--version", default=None, help="the HomeBox release to imitate, e.g. v0.23.0")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.profile, args.port, args.items, args.attachments, args.version))


if __name__ == "__main__":
    main()
