"""``python -m hi.simulator.hass [--profile demo|scale] [--port P] [--quiet]``: serve, URL on the first line."""

from __future__ import annotations

import argparse

from .server import HassSimulator


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m hi.simulator.hass")
    parser.add_argument("--profile", default="demo", choices=HassSimulator.profiles)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--quiet", action="store_true", help="no simulated activity in the demo home")
    args = parser.parse_args()
    HassSimulator(args.profile, port=args.port, activity=not args.quiet).serve_until_interrupted()


if __name__ == "__main__":
    main()
