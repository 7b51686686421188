"""deploy, app info, history and logs as plain commands (same engine as the console)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import subprocess
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, TextIO, TypeVar

from ownstack_tui import clock
from ownstack_tui.backends.base import DeployRequest
from ownstack_tui.cli.context import Context
from ownstack_tui.cli.output import print_json, print_table
from ownstack_tui.engine.deploy_lock import read_locks
from ownstack_tui.engine.engine import Engine
from ownstack_tui.engine.factory import open_engine
from ownstack_tui.engine.history import History
from ownstack_tui.engine.history_rows import COLUMNS as HISTORY_COLUMNS
from ownstack_tui.engine.history_rows import history_row
from ownstack_tui.engine.log_tail import TailEventKind, follow_logs
from ownstack_tui.errors import InvalidInput, NotFound, describe_failure
from ownstack_tui.fanout import StackOutcome
from ownstack_tui.model import validation
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.deploy_lock import StackLock, describe_lock
from ownstack_tui.model.failure_groups import (
    FailureGroup,
    failures_of,
    stack_list,
    transient_stacks,
)
from ownstack_tui.model.jobs import DeployJob, DeployRun, JobEvent
from ownstack_tui.text import strip_escapes

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def engine_for(ctx: Context) -> Engine:
    return open_engine(ctx.fleet, ctx.via, accept_new_host_keys=ctx.args.accept_new_host_key,
                       polls=ctx.polls)


# -- deploy --------------------------------------------------------------------------------


def deploy(ctx: Context, args: argparse.Namespace) -> int:
    app = ctx.fleet.app(args.app_name or args.app)
    request = DeployRequest(
        ref=validation.git_ref(args.ref) if args.ref else None,
        image=validation.image_ref(args.image) if args.image else None,
    )
    stacks = ctx.fleet.select(args.stack or (), app)
    if not stacks:
        raise InvalidInput(
            f"app {app.name} has no target stacks; add one with "
            f"'ownstack-tui app stacks:add {app.name} STACK'"
        )
    if args.stack:  # the selectors, resolved once: from here on, stack names
        args.stack = [stack.name for stack in stacks]
    if request.ref and app.repo:
        check_ref_exists(Path(app.repo).expanduser(), request.ref)
    # -- staged rollouts (cli/rollout_commands.py) --
    from ownstack_tui.cli import rollout_commands
    from ownstack_tui.engine.rollout import runs_as_rollout

    policy = rollout_commands.resolved(ctx.fleet, app, rollout_commands.policy_for(app, args), args)
    if runs_as_rollout(ctx.via, policy):
        return rollout_commands.deploy_rollout(ctx, args, app, policy, request)
    return run_async(deploy_and_report(ctx, app.name, args.stack or (), request, args.wait))


def check_ref_exists(repo: Path, ref: str) -> None:
    """Refuse a --ref the app's repo does not have, before any stack is contacted (the push
    would fail on every stack, one by one). A repo that is not here is left to the deploy."""
    if not repo.is_dir():
        return
    found = subprocess.run(
        # The ref was validated (no leading '-'); ^{commit} also refuses a tree or blob id.
        ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    if found.returncode != 0:
        raise InvalidInput(
            f"--ref {ref}: no such branch, tag or commit in {repo}; "
            f"see 'git -C {repo} branch -a' or 'git -C {repo} log'"
        )


async def deploy_and_report(
    ctx: Context, app_name: str, only: list[str] | tuple[str, ...], request: DeployRequest, wait: bool
) -> int:
    app = ctx.fleet.app(app_name)
    out = sys.stdout
    async with engine_for(ctx) as engine:
        if not ctx.json:
            out.write(f"Triggering deploy for app {app.name}…\n")
        running = engine.start_deploy(app, only, request)
        run = running.run
        if not ctx.json:
            started = StartAnnouncer(out)
            run.subscribe(started.on_event)
        if wait and not ctx.json:
            width = max(len(job.stack) for job in run.jobs)
            run.subscribe(lambda event: _print_event(event, width))
        if not wait and ctx.via == "api":
            # The control plane runs the jobs; we only needed them created.
            await _until_started(run)
            await running.detach()
            if ctx.json:
                print_json(_run_json(run))
            else:
                for job in run.jobs:
                    started.announce(job)
            return 0 if all(job.remote_id is not None for job in run.jobs) else 1
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGINT, running.cancel)
        loop.add_signal_handler(signal.SIGTERM, running.cancel)
        try:
            await running.wait()
        finally:
            loop.remove_signal_handler(signal.SIGINT)
            loop.remove_signal_handler(signal.SIGTERM)
        if ctx.json:
            print_json(_run_json(run))
        else:
            _print_summary(run)
        if any(job.status is DeployStatus.CANCELLED for job in run.jobs):
            return 130
        return 0 if run.succeeded else 1


class StartAnnouncer:
    """Prints "✓ Deploy started on STACK (job N)" once per job, when the job has really begun:
    the stack answered (its first log line or a build status), or the control plane made the
    deployment. A stack never reached gets no such line, only its failure in the summary."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._done: set[int] = set()

    def on_event(self, event: JobEvent) -> None:
        self.announce(event.job)

    def announce(self, job: DeployJob) -> None:
        if job.id in self._done or not self._begun(job):
            return
        self._done.add(job.id)
        self.out.write(f"✓ Deploy started on {job.stack} (job {job.id})\n")
        self.out.flush()

    @staticmethod
    def _begun(job: DeployJob) -> bool:
        return bool(job.lines) or job.remote_id is not None or job.status in _STARTED


# Statuses a job reaches only once its stack has answered.
_STARTED = frozenset({DeployStatus.BUILDING, DeployStatus.RELEASING, DeployStatus.SUCCEEDED})


async def _until_started(run: DeployRun) -> None:
    while any(job.remote_id is None and not job.is_final for job in run.jobs):
        await asyncio.sleep(0.05)


def _print_event(event: JobEvent, width: int) -> None:
    prefix = f"{event.job.stack.ljust(width)} | "
    if event.lines:
        sys.stdout.write("".join(prefix + line + "\n" for line in event.lines))
    elif event.job.is_final:
        return
    else:
        sys.stdout.write(f"{prefix}[{event.job.status.value}]\n")
    sys.stdout.flush()


def _print_summary(run: DeployRun) -> None:
    width = max(len(job.stack) for job in run.jobs)
    for job in run.jobs:
        sys.stdout.write(summary_line(job, width) + "\n")
    print_failure_groups(sys.stdout, run.app, failures_of(run.jobs))


def print_failure_groups(
    out: TextIO, app: str, groups: Sequence[FailureGroup], always: bool = False
) -> None:
    """Failures by cause, the largest group first, and the command that re-deploys the
    transient ones. Printed for two failed stacks or more (one is its summary line), or
    ``always``."""
    if sum(group.count for group in groups) < (1 if always else 2):
        return
    out.write("Failures by cause:\n")
    for group in groups:
        mark = "⟳" if group.transient else "✗"
        note = " (transient)" if group.transient else ""
        out.write(f"  {mark} {group.headline()}{note}\n      {stack_list(group.stacks)}\n")
    transient = transient_stacks(groups)
    if transient:
        out.write(
            f"Re-deploy the transient ones: ownstack-tui deploy {app} --stack {','.join(transient)}\n"
        )


def failure_groups_json(groups: Sequence[FailureGroup]) -> list[dict[str, Any]]:
    return [
        {"cause": g.cause, "example": g.example, "stacks": list(g.stacks), "transient": g.transient}
        for g in groups
    ]


def summary_line(job: DeployJob, width: int, note: str = "") -> str:
    """``✓ staging  succeeded  job 12  3.1s  deployed abc1234``; ``note`` goes before the detail."""
    detail = job.reason or ""
    if job.status is DeployStatus.SUCCEEDED:  # a reason there is a late cancel's note
        detail = f"deployed {job.short_sha}" + (f" ({detail})" if detail else "")
    elif job.status is DeployStatus.FAILED:
        detail += f" (full log: ownstack-tui history --app {job.app} --job {job.id})"
    return (
        f"{job.status.glyph} {job.stack.ljust(width)}  {job.status.value:<9}  "
        f"job {job.id}  {job.elapsed():.1f}s  {note}{detail}".rstrip()
    )


def job_json(job: DeployJob) -> dict[str, Any]:
    """One job as `--json` prints it (a rollout adds its timing and rollback fields)."""
    return {
        "id": job.id,
        "stack": job.stack,
        "status": job.status.value,
        "sha": job.sha,
        "ref": job.ref,
        "image": job.image,
        "reason": job.reason,
        "elapsed": round(job.elapsed(), 3),
        "remote_id": job.remote_id,
    }


def _run_json(run: DeployRun) -> dict[str, Any]:
    return {
        "app": run.app,
        "jobs": [job_json(job) for job in run.jobs],
        "failure_groups": failure_groups_json(failures_of(run.jobs)),
    }


# -- app info --------------------------------------------------------------------------------


def app_info(ctx: Context, args: argparse.Namespace) -> int:
    app = ctx.fleet.app(args.app)
    return run_async(_app_info(ctx, app.name))


async def _app_info(ctx: Context, app_name: str) -> int:
    app = ctx.fleet.app(app_name)
    async with engine_for(ctx) as engine:
        # At once: a stack that does not answer costs one timeout, not two.
        states, locks = await asyncio.gather(engine.app_states(app), read_locks(engine, app))
    rows = []
    for name, outcome in states.items():
        state = outcome.value
        rows.append(
            {
                "stack": name,
                "reachable": outcome.ok,
                "exists": state.exists if state else None,
                "deployed_sha": state.deployed_sha if state else None,
                "deploy_source": state.deploy_source if state else None,
                "error": outcome.error,
                "lock": _lock_text(locks.get(name)),
            }
        )
    if ctx.json:
        print_json({"app": app.name, "stacks": rows})
        return 0 if all(row["reachable"] for row in rows) else 1
    print(f"App: {app.name}")
    for row in rows:
        if row["error"]:
            detail = f"unreachable: {row['error']}"
        elif not row["exists"]:
            detail = "not created yet"
        elif row["deployed_sha"]:
            detail = f"deployed {str(row['deployed_sha'])[:7]}"
        else:
            detail = "not deployed"
        lock = f" · {row['lock']}" if row["lock"] else ""
        print(f"  Stack:   {row['stack']} — {detail}{lock}")
    return 0 if all(row["reachable"] for row in rows) else 1


def _lock_text(outcome: StackOutcome[StackLock] | None) -> str | None:
    """Who holds the app's deploys on a stack, if anyone (rollouts' lock, dokku's apps:lock)."""
    if outcome is None or outcome.value is None:
        return None
    return describe_lock(outcome.value, clock.now())


# -- history ---------------------------------------------------------------------------------


def history(ctx: Context, args: argparse.Namespace) -> int:
    app = ctx.fleet.app(args.app)
    # Over the fleet's stacks, not only the app's targets: a former target's deploys count too.
    only = [stack.name for stack in ctx.fleet.select(args.stack)] if args.stack else None
    store = History()
    if args.job is not None:
        entry = store.entry(args.job)
        _warn(store.warnings)
        if entry is None or entry.app != app.name:
            raise NotFound(f"no deploy job {args.job} for app {app.name}; see 'ownstack-tui history'")
        lines = store.log_lines(entry.id)
        if ctx.json:
            print_json({**entry.as_dict(), "log": lines})
        elif args.timestamps:
            timed = store.timed_log_lines(entry.id)
            sys.stdout.write("".join(
                (f"+{offset:7.1f}s  " if offset is not None else " " * 11) + line + "\n"
                for offset, line in timed
            ))
        else:
            sys.stdout.write("".join(line + "\n" for line in lines))
        return 0
    if args.failed:
        return _last_run_failures(ctx, store, app.name, only)
    items = store.timeline(app=app.name, stack=only)
    _warn(store.warnings)
    if ctx.json:
        print_json([item.as_dict() for item in items])
        return 0
    print_table(
        [history_row(item).__dict__ for item in items],
        [(name, heading.upper()) for name, heading in HISTORY_COLUMNS],
        empty=f"No deploys of {app.name} yet",
    )
    return 0


def _last_run_failures(ctx: Context, store: History, app: str, only: list[str] | None) -> int:
    """``history --failed``: the newest run's failures, grouped by cause."""
    jobs = store.last_run(app, only)
    _warn(store.warnings)
    groups = failures_of(jobs)
    if ctx.json:
        run = jobs[0].run if jobs else None
        print_json({"app": app, "run": run, "jobs": [job.id for job in jobs],
                    "failure_groups": failure_groups_json(groups)})
        return 0
    if not jobs:
        sys.stdout.write(f"No deploys of {app} yet\n")
        return 0
    ids = f"jobs {jobs[0].id}-{jobs[-1].id}" if len(jobs) > 1 else f"job {jobs[0].id}"
    failed = sum(group.count for group in groups)
    sys.stdout.write(f"Last run of {app} ({ids}): {failed} of {len(jobs)} failed\n")
    print_failure_groups(sys.stdout, app, groups, always=True)
    return 0


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        sys.stderr.write(f"ownstack-tui: warning: {warning}\n")


# -- logs ------------------------------------------------------------------------------------


def logs(ctx: Context, args: argparse.Namespace) -> int:
    app = ctx.fleet.app(args.app)
    stacks = ctx.fleet.select(args.stack or (), app)
    if args.ps:
        validation.process_type(args.ps)
    if args.tail < 0:
        raise InvalidInput(f"--tail {args.tail}: give a number of lines >= 0")
    return run_async(_logs(ctx, app.name, [s.name for s in stacks], args.tail, args.ps, args.follow))


async def _logs(
    ctx: Context, app_name: str, stack_names: list[str], num: int, process: str | None, follow: bool
) -> int:
    app = ctx.fleet.app(app_name)
    prefix_width = max(len(name) for name in stack_names) if len(stack_names) > 1 else 0
    failures = 0
    # dokku always colours log lines; keep the colour for a terminal only.
    clean = (lambda line: line) if sys.stdout.isatty() and not ctx.json else strip_escapes

    def shown(name: str, line: str) -> str:
        if ctx.json:  # JSON lines: one object per log line, so a script can stream them
            return json.dumps({"stack": name, "line": clean(line)}, ensure_ascii=False)
        return (f"{name.ljust(prefix_width)} | " if prefix_width else "") + clean(line)

    async with engine_for(ctx) as engine:

        async def tail_following(name: str) -> None:
            """Like the console's tails: a dropped stream is reconnected, with a gap marker
            (on stderr, so stdout stays the log lines alone)."""
            nonlocal failures
            events = follow_logs(engine, app, ctx.fleet.stack(name), backlog=num, process=process)
            async with contextlib.aclosing(events):
                async for event in events:
                    if event.kind is TailEventKind.LINE:
                        sys.stdout.write(shown(name, event.text) + "\n")
                        sys.stdout.flush()
                        continue
                    reason = event.text.removeprefix(f"stack {name}: ")
                    if event.kind is TailEventKind.GAP:
                        note = f"log stream lost ({reason}); reconnecting, lines sent meanwhile are missing"
                    elif event.kind is TailEventKind.RESUMED:
                        note = "log stream reconnected"
                    else:
                        failures += event.kind is TailEventKind.FAILED
                        note = reason
                    sys.stderr.write(f"ownstack-tui: stack {name}: {note}\n")
                    sys.stderr.flush()

        async def tail(name: str) -> None:
            nonlocal failures
            if follow:
                return await tail_following(name)
            try:
                async for line in engine.logs(app, ctx.fleet.stack(name), num, process, follow):
                    sys.stdout.write(shown(name, line) + "\n")
                    sys.stdout.flush()
            except (asyncio.CancelledError, BrokenPipeError):
                raise  # a closed stdout ends every tail: the entry point says nothing
            except Exception as error:
                failures += 1
                sys.stderr.write(f"ownstack-tui: {describe_failure(error)}\n")

        tasks = [asyncio.create_task(tail(name)) for name in stack_names]
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: [task.cancel() for task in tasks])
        try:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*tasks)
        except BrokenPipeError:
            # Stop every other tail before the connections close under them: else a stream
            # cut by our own shutdown is reported as that stack's failure.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
    return 1 if failures else 0
