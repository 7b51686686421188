"""config, config:get/set/unset/push/apply and ps:scale as plain commands.

A change is written to the fleet file first (the desired state), then planned and applied
on every affected stack in parallel. A stack that cannot be reached keeps the difference,
shown as drift, until the next ``config:apply``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from ownstack_tui.backends.base import DeployRequest
from ownstack_tui.cli.context import Context
from ownstack_tui.cli.deploy_commands import deploy_and_report, engine_for, run_async
from ownstack_tui.cli.output import print_json
from ownstack_tui.engine.engine import Engine
from ownstack_tui.engine.factory import check_backend_settings
from ownstack_tui.errors import AppNotOnStack, InvalidInput
from ownstack_tui.fanout import StackOutcome
from ownstack_tui.model import validation
from ownstack_tui.model.config import (
    StackConfigPlan,
    drift,
    effective_config,
    layer_of,
    looks_secret,
    mask,
)
from ownstack_tui.model.fleet import App
from ownstack_tui.model.heroku_env import parse_heroku_env


def _targets(ctx: Context, app: App, selectors: list[str] | None) -> list[str]:
    """The stacks --stack selects among the app's (all of them without --stack)."""
    return [s.name for s in ctx.fleet.select(selectors or (), app)]


def _shown(key: str, value: str, reveal: bool) -> str:
    return value if reveal or not looks_secret(key, value) else mask(value)


# -- reading ---------------------------------------------------------------------------------


def config_show(ctx: Context, args: argparse.Namespace) -> int:
    app = ctx.fleet.app(args.app)
    stacks = _targets(ctx, app, args.stack)
    return run_async(_config_show(ctx, app, stacks, args.reveal, args.drift))


async def _config_show(
    ctx: Context, app: App, stacks: list[str], reveal: bool, drift_only: bool
) -> int:
    async with engine_for(ctx) as engine:
        actual = await engine.read_configs(app, stacks)
    report: dict[str, dict[str, object]] = {}
    for name, outcome in actual.items():
        desired = effective_config(app, name)
        if isinstance(outcome.exception, AppNotOnStack):
            report[name] = {"vars": {}, "drift": [], "app_missing": True}
            continue
        if outcome.value is None:
            report[name] = {"error": outcome.error}
            continue
        on_stack = outcome.value
        drifted = drift(desired, on_stack)
        vars_ = {}
        for key in sorted(set(on_stack) | set(desired)):
            layer = layer_of(app, name, key)
            entry = {
                "value": _shown(key, on_stack[key], reveal) if key in on_stack else None,
                "source": layer.value if layer else "stack-only",
            }
            if key in drifted:
                entry["fleet_value"] = _shown(key, desired[key], reveal)
            if not drift_only or key in drifted:
                vars_[key] = entry
        report[name] = {"vars": vars_, "drift": sorted(drifted)}
    if ctx.json:
        print_json({"app": app.name, "stacks": report})
    else:
        _print_config_report(report, drift_only)
    failed = any("error" in entry for entry in report.values())
    return 1 if failed else 0


def _print_config_report(report: Mapping[str, Mapping[str, object]], drift_only: bool) -> None:
    marks = {"app": "", "stack": "(override)", "stack-only": "(set on stack)"}
    for stack, entry in report.items():
        print(f"=== {stack}")
        if "error" in entry:
            print(f"  unreachable: {entry['error']}")
            continue
        if entry.get("app_missing"):
            print("  app not created there yet; its first deploy sets the config")
            continue
        vars_ = entry["vars"]
        assert isinstance(vars_, dict)
        if not vars_:
            print("  no drift" if drift_only else "  (no config)")
        width = max((len(key) for key in vars_), default=0)
        for key, info in vars_.items():
            value = info["value"]
            shown = "(not set on stack)" if value is None else _one_line(str(value))
            notes = [marks[str(info["source"])]]
            if "fleet_value" in info:
                notes.append(f"DRIFT: fleet wants {_one_line(str(info['fleet_value']))}")
            print(f"  {key.ljust(width)}  {shown}  {' '.join(n for n in notes if n)}".rstrip())


def _one_line(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def config_get(ctx: Context, args: argparse.Namespace) -> int:
    app = ctx.fleet.app(args.app)
    key = validation.config_key(args.key)
    if args.stack is None:
        if key not in app.config:
            return 1
        _print_value(ctx, args, None, key, app.config[key])
        return 0
    stack = ctx.fleet.select_one(args.stack, app, "config:get").name
    return run_async(_config_get(ctx, args, app, stack, key))


async def _config_get(ctx: Context, args: argparse.Namespace, app: App, stack: str, key: str) -> int:
    async with engine_for(ctx) as engine:
        (outcome,) = (await engine.read_configs(app, [stack])).values()
    if outcome.value is None:
        sys.stderr.write(f"ownstack-tui: {outcome.error}\n")
        return 1
    if key not in outcome.value:
        return 1
    _print_value(ctx, args, stack, key, outcome.value[key])
    return 0


def _print_value(ctx: Context, args: argparse.Namespace, stack: str | None, key: str, value: str) -> None:
    """The plain form is the value itself (for ``$(...)`` in scripts, as dokku's config:get);
    JSON, which ends up in CI logs and files, masks a secret unless --reveal."""
    if ctx.json:
        print_json({"stack": stack, "key": key, "value": _shown(key, value, args.reveal)})
    else:
        sys.stdout.write(value + "\n")


# -- changing --------------------------------------------------------------------------------


def config_set(ctx: Context, args: argparse.Namespace) -> int:
    pairs = dict(validation.config_pair(text) for text in args.pairs)
    return _change(ctx, args, set_values=pairs, unset_keys=())


def config_unset(ctx: Context, args: argparse.Namespace) -> int:
    keys = [validation.writable_config_key(key) for key in args.keys]
    return _change(ctx, args, set_values={}, unset_keys=keys)


def config_push(ctx: Context, args: argparse.Namespace) -> int:
    path = Path(args.file).expanduser()
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise InvalidInput(f"cannot read {args.file}: {error.strerror}") from None
    except UnicodeDecodeError as error:  # say where, not which bytes: they may be a secret's
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise InvalidInput(f"{args.file}, line {line}: not UTF-8 text; save the file as UTF-8") from None
    values = parse_heroku_env(text, source=str(args.file))
    if not values:
        raise InvalidInput(f"{args.file} holds no KEY='value' lines")
    return _change(ctx, args, set_values=values, unset_keys=())


def config_apply(ctx: Context, args: argparse.Namespace) -> int:
    app = ctx.fleet.app(args.app)
    stacks = _targets(ctx, app, args.stack)
    return run_async(_plan_and_apply(ctx, app.name, stacks, {}, not args.no_restart))


def _change(
    ctx: Context, args: argparse.Namespace, set_values: dict[str, str], unset_keys: Sequence[str]
) -> int:
    if not set_values and not unset_keys:
        raise InvalidInput("give at least one KEY=VALUE (or KEY to unset)")
    fleet_file = ctx.fleet_file()
    app = fleet_file.fleet.app(args.app)
    stacks = _targets(ctx, app, args.stack)
    # The fleet file is written before the stacks are: first make sure they can be reached.
    check_backend_settings(fleet_file.fleet, ctx.via)
    # With --stack, each selected stack's overrides; without, the app level.
    layers: list[str | None] = list(stacks) if args.stack else [None]
    for layer in layers:
        if set_values:
            fleet_file.set_config(app.name, layer, set_values)
        if unset_keys:
            removed_keys = fleet_file.unset_config(app.name, layer, unset_keys)
            missing = [key for key in unset_keys if key not in removed_keys]
            if missing and not ctx.json:
                where = f"stack {layer}" if layer else "app level"
                print(f"Not set at {where} in the fleet: {', '.join(missing)} (unset on the stack anyway)")
    fleet_file.save()
    removed = {name: list(unset_keys) for name in stacks}
    return run_async(_plan_and_apply(ctx, app.name, stacks, removed, not args.no_restart))


async def _plan_and_apply(
    ctx: Context,
    app_name: str,
    stacks: list[str],
    removed: Mapping[str, Sequence[str]],
    restart: bool,
) -> int:
    app = ctx.fleet.app(app_name)
    async with engine_for(ctx) as engine:
        plans = await engine.plan_config(app, stacks, removed)
        ready = {name: o.value for name, o in plans.items() if o.value is not None}
        results = await engine.apply_config(app, ready, restart)
    failed = 0
    report = {}
    for name in stacks:
        plan_outcome = plans[name]
        outcome: StackOutcome[object] | None = results.get(name)
        error = plan_outcome.error or (outcome.error if outcome else None)
        plan = plan_outcome.value
        failed += bool(error)
        report[name] = {
            "set": sorted(plan.to_set) if plan else [],
            "unset": sorted(plan.to_unset) if plan else [],
            "app_missing": plan.app_missing if plan else False,
            "error": error,
        }
        if not ctx.json:
            _print_plan_result(name, plan, error, restart)
    if ctx.json:
        print_json({"app": app.name, "stacks": report})
    return 1 if failed else 0


def _print_plan_result(stack: str, plan: StackConfigPlan | None, error: str | None, restart: bool) -> None:
    if plan is None:
        print(f"✗ {stack}: {error}")
        return
    if plan.app_missing:
        print(f"• {stack}: app not created there yet; its first deploy sets the config")
        return
    changes = [f"+{k}" for k in sorted(plan.to_add)]
    changes += [f"~{k}" for k in sorted(plan.to_change)]
    changes += [f"-{k}" for k in sorted(plan.to_unset)]
    if error:
        print(f"✗ {stack}: {', '.join(changes)} not applied: {error}")
    elif not changes:
        print(f"✓ {stack}: already up to date")
    else:
        tail = "" if restart else " (no restart: takes effect at the next deploy or restart)"
        print(f"✓ {stack}: {', '.join(changes)}{tail}")


# -- scale -----------------------------------------------------------------------------------


def ps_scale(ctx: Context, args: argparse.Namespace) -> int:
    app = ctx.fleet.app(args.app)
    if not args.stack:
        raise InvalidInput(f"ps:scale needs --stack: one of {', '.join(app.stacks) or '(none)'}")
    stack = ctx.fleet.select_one(args.stack, app, "ps:scale").name
    counts = dict(validation.scale_pair(text) for text in args.pairs)
    return run_async(_ps_scale(ctx, app, stack, counts))


async def _ps_scale(ctx: Context, app: App, stack: str, counts: dict[str, int]) -> int:
    async with engine_for(ctx) as engine:
        if counts:
            unreadable = await _check_process_types(engine, app, stack, counts)
            if unreadable:  # a stack that cannot say its scale is not asked to change it
                sys.stderr.write(f"ownstack-tui: {unreadable}\n")
                return 1
            (outcome,) = (await engine.set_scales(app, {stack: counts})).values()
            if outcome.error:
                sys.stderr.write(f"ownstack-tui: {outcome.error}\n")
                return 1
        (current,) = (await engine.read_scales(app, [stack])).values()
    if current.value is None:
        sys.stderr.write(f"ownstack-tui: {current.error}\n")
        return 1
    if ctx.json:
        print_json({"app": app.name, "stack": stack, "scale": current.value})
        return 0
    if counts:
        print(f"Scaled {app.name} on {stack}: " + " ".join(f"{k}={v}" for k, v in counts.items()))
    print(f"Scale of {app.name} on {stack}:")
    for process, count in sorted(current.value.items()):
        print(f"  {process + ':':<8} {count}")
    return 0


async def _check_process_types(
    engine: Engine, app: App, stack: str, counts: dict[str, int]
) -> str | None:
    """A process type the app does not have is bad input (exit 2), found before any change:
    checked against the stack's current scale (an app not deployed yet has none to check).
    Returns the stack's error when it could not be read at all."""
    (current,) = (await engine.read_scales(app, [stack])).values()
    if current.value is None and not isinstance(current.exception, AppNotOnStack):
        return current.error
    known = current.value or {}
    unknown = [name for name in counts if known and name not in known]
    if unknown:
        raise InvalidInput(
            f"{app.name} on {stack} has no process type {unknown[0]!r}; "
            f"its process types: {', '.join(sorted(known))}"
        )
    return None


# -- replicate -------------------------------------------------------------------------------


def app_replicate(ctx: Context, args: argparse.Namespace) -> int:
    fleet_file = ctx.fleet_file()
    source = fleet_file.fleet.app(args.source)
    validation.app_name(args.new)
    if args.new in fleet_file.fleet.apps:
        raise InvalidInput(f"app {args.new!r} already exists in the fleet")
    if not args.stack:
        raise InvalidInput(f"app replicate needs --stack: one of {', '.join(source.stacks)}")
    stack = fleet_file.fleet.select_one(args.stack, source, "app replicate")
    lines = run_async(_replicate(ctx, source, args.new, stack.name))
    fleet_file.add_app(
        args.new, repo=source.repo, branch=source.branch, needs_postgres=False, stacks=[stack.name]
    )
    fleet_file.save()
    for line in lines:
        print(line)
    print(f"Created {args.new} on {stack.name}, sharing {source.name}'s databases")
    if args.deploy:
        ctx._file = None
        return run_async(deploy_and_report(ctx, args.new, (), DeployRequest(), wait=True))
    return 0


async def _replicate(ctx: Context, source: App, new: str, stack: str) -> list[str]:
    async with engine_for(ctx) as engine:
        return await engine.replicate(source, new, ctx.fleet.stack(stack))
