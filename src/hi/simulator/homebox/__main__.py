"""``python -m hi.simulator.homebox [--profile demo|legacy|scale] [--items N] [--attachments N]``: serve, URL
on the first line."""

from __future__ import annotations

import argparse

from . import HomeBoxSimulator


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m hi.simulator.homebox")
    parser.add_argument("--profile", default="demo", choices=HomeBoxSimulator.profiles)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--items", type=int, default=None)
    parser.add_argument("--attachments", type=int, default=None)
    parser.add_argument("--version", default=None, help="the HomeBox release to imitate, e.g. v0.23.0")
    args = parser.parse_args()
    HomeBoxSimulator(args.profile, port=args.port, items=args.items, attachments=args.attachments,
                     version=args.version).serve_until_interrupted()


if __name__ == "__main__":
    main()
