"""``python -m hi.simulator.hass [--profile demo|scale] [--port P]``: serve and print the URL on the first line.

Benchmarks run the simulator in its own process this way so its work does not share our interpreter.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .server import HassSimulator


async def _serve(profile: str, port: int, activity: bool) -> None:
    simulator = HassSimulator(profile, port=port, activity=activity)
    await simulator.start()
    print(simulator.url, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await simulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m hi.simulator.hass")
    parser.add_argument("--profile", default="demo", choices=HassSimulator.profiles)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--quiet", action="store_true", help="no simulated activity in the demo home")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.profile, args.port, not args.quiet))


if __name__ == "__main__":
    main()
