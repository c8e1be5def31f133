"""Rules as the API, CLI and web see them: JSON in and out, validated before anything is saved."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .conditions import RuleError, parse_rule
from .engine import get_engine
from .models import Rule


class RuleNotFound(LookupError):
    pass


def rule_json(rule: Rule) -> dict[str, Any]:
    return {"id": rule.pk, "name": rule.name, "enabled": rule.enabled, "level": rule.level, "match": rule.match,
            "window_seconds": rule.window_seconds, "conditions": list(rule.conditions), "modes": list(rule.modes),
            "life_safety": rule.life_safety,
            "time_from": rule.time_from.isoformat("minutes") if rule.time_from else None,
            "time_to": rule.time_to.isoformat("minutes") if rule.time_to else None,
            "days": list(rule.days), "actions": list(rule.actions), "quiet_seconds": rule.quiet_seconds,
            "expire_minutes": rule.expire_minutes, "is_default": rule.is_default}


def list_rules() -> list[dict[str, Any]]:
    return [rule_json(r) for r in Rule.objects.all()]


def get_rule(rule_id: Any) -> Rule:
    try:
        pk = int(rule_id)
    except (TypeError, ValueError):
        raise RuleNotFound(f"no rule {rule_id!r}") from None
    rule = Rule.objects.filter(pk=pk).first()
    if rule is None:
        raise RuleNotFound(f"no rule {pk}")
    return rule


def create_rule(data: Any) -> dict[str, Any]:
    spec = parse_rule(data)
    rule = Rule()
    spec.apply_to(rule)
    rule.save()
    return rule_json(rule)


def update_rule(rule_id: Any, data: Any) -> dict[str, Any]:
    """Replace a rule's definition (PUT semantics: the JSON is the whole rule)."""
    with transaction.atomic():
        rule = get_rule(rule_id)
        spec = parse_rule(data)
        spec.apply_to(rule)
        rule.save()
    return rule_json(rule)


def delete_rule(rule_id: Any) -> None:
    get_rule(rule_id).delete()


def set_enabled(rule_id: Any, enabled: bool) -> dict[str, Any]:
    rule = get_rule(rule_id)
    rule.enabled = enabled
    rule.save(update_fields=["enabled", "updated_at"])
    return rule_json(rule)


def test_rule(rule_id: Any) -> dict[str, Any]:
    """What would fire now, for one saved rule (nothing is recorded)."""
    return get_engine().would_fire(get_rule(rule_id))


__all__ = ["RuleError", "RuleNotFound", "create_rule", "delete_rule", "get_rule", "list_rules", "rule_json",
           "set_enabled", "test_rule", "update_rule"]
