"""The rules page: list, create, edit, test ("what would fire now"), enable/disable, delete.

The form offers only what is valid: a condition's operators and value widget come from the chosen
state's type and range (a dimmer gets a 0-100 number, a door gets open/closed), fetched with htmx
when the state changes; the same ``parse_rule`` as the API checks the result, naming the bad field.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from hi.apps.alarm import rules as rule_ops
from hi.apps.alarm.conditions import RuleError
from hi.apps.alarm.enums import Level, Match, SecurityMode
from hi.apps.alarm.incidents import ALERT_OP, SEVERITIES, is_alerts_state
from hi.apps.alarm.models import Channel, Rule
from hi.apps.control.dispatch import _choices
from hi.apps.control.models import Controller
from hi.apps.entity.enums import binary_values, default_value_range, is_numeric
from hi.apps.entity.models import EntityState

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
OP_LABELS = {"eq": "is", "ne": "is not", "above": "is above", "below": "is below", "alert": "has an open alert of severity"}


def value_spec(state: EntityState | None) -> dict[str, Any]:
    """Which operators and which value widget a state allows (``kind``: choice, number or text)."""
    if state is None:
        return {"kind": "none", "ops": []}
    if is_alerts_state(state):  # read by its open alerts (the weather's), not its value
        return {"kind": "choice", "choices": list(SEVERITIES), "ops": [ALERT_OP], "no_held_for": True}
    value_range = state.value_range if state.value_range not in (None, "", [], {}) else \
        default_value_range(state.state_type)
    pair = binary_values(state.state_type)
    if pair is not None:
        return {"kind": "choice", "choices": _choices(value_range) or [pair[1], pair[0]], "ops": ["eq", "ne"]}
    bounded = isinstance(value_range, dict) and bool({"min", "max"} & set(value_range))
    if is_numeric(state.state_type) or bounded:
        return {"kind": "number", "min": value_range.get("min") if bounded else None,
                "max": value_range.get("max") if bounded else None, "ops": ["above", "below", "eq", "ne"],
                "units": state.units}
    choices = _choices(value_range)
    if choices:
        return {"kind": "choice", "choices": choices, "ops": ["eq", "ne"]}
    return {"kind": "text", "ops": ["eq", "ne"]}


def _state(state_id: Any) -> EntityState | None:
    try:
        return EntityState.objects.select_related("entity").filter(pk=int(state_id)).first()
    except (TypeError, ValueError):
        return None


def _condition_rows(conditions: list[dict[str, Any]], extra: int = 1) -> list[dict[str, Any]]:
    rows = []
    for index, condition in enumerate([*conditions, *({} for _ in range(extra))]):
        if "integration" in condition:  # not a state: kept as it is (edit it through the API or CLI)
            rows.append({"index": index, "name": f"cond-{index}", "fixed": json.dumps(condition),
                         "text": _integration_text(condition)})
            continue
        state = _state(condition.get("state"))
        rows.append({"index": index, "name": f"cond-{index}", "state_id": state.pk if state else None,
                     "op": condition.get("op", "eq"), "value": condition.get("value", ""),
                     "held_for": condition.get("held_for", ""), "spec": value_spec(state)})
    return rows


def _integration_text(condition: dict[str, Any]) -> str:
    held = f" for {condition['held_for']} s" if condition.get("held_for") else ""
    verb = "is" if condition.get("op", "eq") == "eq" else "is not"
    return f"Integration {condition.get('integration')} {verb} {condition.get('value')}{held}"


def _form_context(data: dict[str, Any], rule: Rule | None, error: RuleError | None = None,
                  extra_rows: int = 1) -> dict[str, Any]:
    actions = data.get("actions", [{"type": "alert"}])
    control = next((a for a in actions if a.get("type") == "control"), None)
    notify = next((a for a in actions if a.get("type") == "notify"), None)
    control_state = None
    if control:
        controller = Controller.objects.select_related("entity_state").filter(pk=control.get("controller")).first()
        control_state = controller.entity_state if controller else None
    rows = _condition_rows(list(data.get("conditions") or []), extra_rows)
    for row in rows:
        row["error"] = error is not None and error.field.startswith(f"conditions[{row['index']}]")
    return {
        "rule": rule, "data": data, "error": error, "rows": rows,
        "states": EntityState.objects.select_related("entity").order_by("entity__name", "name", "id"),
        "controllers": Controller.objects.select_related("entity_state__entity").order_by("name", "id"),
        "channels": Channel.objects.all(),
        "levels": Level.choices, "matches": Match.choices, "modes": SecurityMode.choices, "days": list(enumerate(DAYS)),
        "op_labels": OP_LABELS,
        "act_alert": any(a.get("type") == "alert" for a in actions),
        "act_notify": notify is not None, "notify_channels": (notify or {}).get("channels", []),
        "control": control, "control_spec": value_spec(control_state),
    }


def rules(request: HttpRequest) -> HttpResponse:
    return render(request, "web/alarm/rules.html", {"rules": Rule.objects.all(), "tested": None})


def _from_post(post: QueryDict) -> tuple[dict[str, Any], int]:
    """The form as rule JSON (blank condition rows dropped) and how many rows it showed."""
    conditions = []
    index = 0
    while f"cond-{index}-state" in post or f"cond-{index}-fixed" in post:
        state = post.get(f"cond-{index}-state")
        if f"cond-{index}-fixed" in post:
            try:
                conditions.append(json.loads(post[f"cond-{index}-fixed"]))
            except ValueError:
                conditions.append({"integration": None})  # parse_rule names the bad condition
        elif state:
            condition: dict[str, Any] = {"state": state, "op": post.get(f"cond-{index}-op", "eq"),
                                         "value": post.get(f"cond-{index}-value", "")}
            if post.get(f"cond-{index}-held_for"):
                condition["held_for"] = post[f"cond-{index}-held_for"]
            conditions.append(condition)
        index += 1
    actions: list[dict[str, Any]] = []
    if post.get("act_alert"):
        actions.append({"type": "alert"})
    if post.get("act_notify"):
        actions.append({"type": "notify", "channels": post.getlist("notify_channels")})
    if post.get("control_controller"):
        actions.append({"type": "control", "controller": post["control_controller"],
                        "value": post.get("control_value", "")})
    data = {"name": post.get("name", ""), "level": post.get("level", Level.WARNING),
            "match": post.get("match", Match.ALL), "modes": post.getlist("modes"),
            "life_safety": bool(post.get("life_safety")), "enabled": bool(post.get("enabled")),
            "window_seconds": post.get("window_seconds") or None, "time_from": post.get("time_from") or None,
            "time_to": post.get("time_to") or None, "days": post.getlist("days"),
            "quiet_seconds": post.get("quiet_seconds") or 0, "expire_minutes": post.get("expire_minutes") or None,
            "conditions": conditions, "actions": actions}
    return data, index


def edit(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    rule = None
    if rule_id is not None:
        rule = Rule.objects.filter(pk=rule_id).first()
        if rule is None:
            raise Http404("no such rule")
    if request.method != "POST":
        data = rule_ops.rule_json(rule) if rule else {"enabled": True, "modes": ["day", "night", "away"],
                                                      "actions": [{"type": "alert"}], "level": Level.WARNING}
        return render(request, "web/alarm/rule_form.html", _form_context(data, rule))
    data, shown = _from_post(request.POST)
    if "add_condition" in request.POST:
        extra = shown - len(data["conditions"]) + 1
        return render(request, "web/alarm/rule_form.html", _form_context(data, rule, extra_rows=max(1, extra)))
    try:
        saved = rule_ops.update_rule(rule.pk, data) if rule else rule_ops.create_rule(data)
    except RuleError as exc:
        return render(request, "web/alarm/rule_form.html", _form_context(data, rule, exc), status=400)
    messages.success(request, f"Rule “{saved['name']}” saved.")
    return redirect("rules")


@require_POST
def action(request: HttpRequest, rule_id: int, action: str) -> HttpResponse:
    try:
        if action in ("enable", "disable"):
            rule_ops.set_enabled(rule_id, action == "enable")
        elif action == "delete":
            rule_ops.delete_rule(rule_id)
            messages.success(request, "Rule deleted.")
        elif action == "test":
            tested = rule_ops.test_rule(rule_id) | {"rule_id": rule_id}
            return render(request, "web/alarm/rules.html", {"rules": Rule.objects.all(), "tested": tested})
        else:
            raise Http404("unknown action")
    except rule_ops.RuleNotFound:
        raise Http404("no such rule") from None
    return redirect("rules")


@require_GET
def value_field(request: HttpRequest) -> HttpResponse:
    """The operator and value widgets for one condition row (or the control action) once a state is chosen."""
    name = request.GET.get("name", "cond-0")
    if name == "control":
        controller = Controller.objects.select_related("entity_state").filter(
            pk=request.GET.get("control_controller") or 0).first()
        spec = value_spec(controller.entity_state if controller else None)
        return HttpResponse(render_to_string("web/alarm/_value_field.html", {
            "field": "control_value", "spec": spec, "value": "", "control": True}))
    if not name.startswith("cond-") or not name[5:].isdigit():
        raise Http404("unknown field")
    spec = value_spec(_state(request.GET.get(f"{name}-state")))
    return HttpResponse(render_to_string("web/alarm/_condition_value.html", {
        "row": {"name": name, "spec": spec, "op": spec["ops"][0] if spec["ops"] else "eq", "value": "",
                "held_for": ""}, "op_labels": OP_LABELS}))


def channels(request: HttpRequest) -> HttpResponse:
    """Notification channels: add (the URL is write-only), send a test, remove. URLs are never shown."""
    from hi.apps.alarm import notify

    form = {"name": "", "level": Level.WARNING}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        name = request.POST.get("name", "")
        try:
            if action == "add":
                form = {"name": name, "level": request.POST.get("level", Level.WARNING)}
                notify.add_channel(name, request.POST.get("url", ""), form["level"], request.POST.getlist("modes"))
                messages.success(request, f"Channel {name} added.")
                return redirect("channels")
            if action == "test":
                result = notify.send_test(name, f"user:{request.user.get_username()}")
                if result["ok"]:
                    messages.success(request, f"Test sent to {name}.")
                else:
                    messages.error(request, f"Test to {name} failed: {result['error']}")
                return redirect("channels")
            if action == "remove":
                notify.remove_channel(name)
                messages.success(request, f"Channel {name} removed.")
                return redirect("channels")
        except notify.ChannelError as exc:
            messages.error(request, str(exc))
            status = 400
        except notify.ChannelNotFound:
            raise Http404("no such channel") from None
    return render(request, "web/alarm/channels.html", {
        "channels": Channel.objects.all(), "levels": Level.choices, "modes": SecurityMode.choices, "form": form},
        status=status)
