"""``hi secrets …`` (the key sealing secrets at rest) and ``hi webhooks …`` (inbound hooks and their secrets)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from .output import emit_json, local_time, say, table


def secrets_rotate_key(args: argparse.Namespace) -> int:
    from hi.utils.sealed import rotate_key

    path, changed = rotate_key()
    if args.json:
        emit_json({"key_file": str(path), "resealed": changed})
        return 0
    say(f"new secrets key in {path}; {changed} stored secret{'' if changed == 1 else 's'} re-sealed under it, "
        "the old key removed")
    say("Backups made before now need the old key: keep them with the key file that was backed up with them.")
    return 0


def secrets_reseal(args: argparse.Namespace) -> int:
    from hi.utils.sealed import reseal_all

    changed = reseal_all()
    if args.json:
        emit_json({"resealed": changed})
        return 0
    say(f"{changed} stored secret{'' if changed == 1 else 's'} sealed under the first key")
    return 0


def secrets_new_key(args: argparse.Namespace) -> int:
    from hi.utils.sealed import new_key

    key = new_key()
    if args.json:
        emit_json({"key": key})
    else:
        say(key)
    return 0


def webhooks_create(args: argparse.Namespace) -> int:
    from hi.integrations.webhooks import create_webhook, webhook_json

    endpoint, secret = create_webhook(args.integration, args.hook_id, mode=args.mode, max_bytes=args.max_bytes)
    data = webhook_json(endpoint) | {"secret": secret}
    if args.json:
        emit_json(data)
        return 0
    say(f"webhook {data['integration']}/{data['hook_id']} created: POST {data['path']}")
    say(f"secret (shown only now): {secret}")
    if data["mode"] == "hmac":
        say("sign each delivery: X-Hi-Timestamp: <unix seconds>, "
            "X-Hi-Signature-256: sha256=<hex HMAC-SHA256 of '<timestamp>.' + body> (docs/security.md)")
    return 0


def webhooks_list(args: argparse.Namespace) -> int:
    from hi.integrations.webhooks import list_webhooks

    rows = list_webhooks()
    if args.json:
        emit_json(rows)
        return 0
    say(table(["id", "integration", "hook", "mode", "enabled", "received", "last received"],
              [[r["id"], r["integration"], r["hook_id"], r["mode"], "yes" if r["enabled"] else "no",
                r["received_count"], local_time(r["last_received_at"])] for r in rows],
              empty="(no webhooks: hi webhooks create INTEGRATION HOOK_ID)"))
    return 0


def webhooks_revoke(args: argparse.Namespace) -> int:
    from hi.integrations.webhooks import revoke_webhook

    data = revoke_webhook(args.webhook)
    if args.json:
        emit_json(data)
        return 0
    say(f"webhook {data['integration']}/{data['hook_id']} revoked; its secret no longer works")
    return 0


def add_commands(commands: argparse._SubParsersAction, command: Callable[..., argparse.ArgumentParser],
                 json_flag: argparse.ArgumentParser) -> None:
    """Register ``secrets`` and ``webhooks`` on ``hi``'s parser (``command`` is main's helper)."""
    secrets = commands.add_parser("secrets", help="the key that seals stored secrets", parents=[json_flag])
    ssub = secrets.add_subparsers(dest="action", metavar="ACTION", required=True)
    command(ssub, "rotate-key", secrets_rotate_key, "a new secrets key; every stored secret re-sealed under it")
    command(ssub, "reseal", secrets_reseal, "seal every stored secret under the first key (after editing the keys)")
    command(ssub, "new-key", secrets_new_key, "print a new key (for HI_SECRETS_KEY); stores nothing")

    webhooks = commands.add_parser("webhooks", help="inbound webhooks and their secrets", parents=[json_flag])
    wsub = webhooks.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = command(wsub, "create", webhooks_create, "create (or re-key) a webhook; prints its secret once")
    create.add_argument("integration", metavar="INTEGRATION")
    create.add_argument("hook_id", metavar="HOOK_ID", help="letters, digits, - and _")
    create.add_argument("--mode", choices=["hmac", "url_secret"], default="hmac",
                        help="hmac: signed timestamp + body (default); url_secret: ?token= for senders that cannot sign")
    create.add_argument("--max-bytes", type=int, default=64 * 1024, metavar="N", help="largest body (default 64 KB)")
    command(wsub, "list", webhooks_list, "every webhook (never their secrets)")
    command(wsub, "revoke", webhooks_revoke, "delete a webhook; its secret stops working").add_argument(
        "webhook", metavar="ID_OR_PATH", help="its id, or INTEGRATION/HOOK_ID")
