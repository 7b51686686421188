"""``deploy`` as a staged rollout: which policy applies, the manual gate's prompt, what is printed
while the waves run, the summary and the ``--json`` shape. Every SSH deploy goes through here
(one wave for ``--all-at-once`` and ``--stack``), so each takes the deploy lock; through the
API every deploy with waves or a gate does (the same engine, the same lock)."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import signal
import sys
from typing import Any, TextIO

from ownstack_tui.backends.base import DeployRequest
from ownstack_tui.cli.context import Context
from ownstack_tui.cli.deploy_commands import (
    StartAnnouncer,
    failure_groups_json,
    job_json,
    print_failure_groups,
    summary_line,
)
from ownstack_tui.cli.output import print_json
from ownstack_tui.engine.deploy_lock import LockRequest, new_holder
from ownstack_tui.engine.factory import open_engine
from ownstack_tui.engine.rollout import RolloutOptions, RunningRollout, start_rollout
from ownstack_tui.errors import InvalidInput
from ownstack_tui.model import validation
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.failure_groups import failures_of
from ownstack_tui.model.fleet import App, Fleet
from ownstack_tui.model.jobs import DeployJob, JobEvent
from ownstack_tui.model.rollout import (
    RolloutEvent,
    RolloutEventKind,
    RolloutPolicy,
    RolloutProgress,
    RolloutState,
    StackPhase,
    WaveState,
    all_at_once,
    check_waves,
    parse_wave_option,
)

EXIT_CANCELLED = 130


def policy_for(app: App, args: argparse.Namespace) -> RolloutPolicy:
    """The fleet's rollout, or one wave; the command line's options over either."""
    waves = [parse_wave_option(text) for text in args.wave or ()]
    if waves and (args.stack or args.all_at_once):
        raise InvalidInput("--wave cannot be combined with --stack or --all-at-once")
    if args.stack:
        base = all_at_once(args.stack, partial=True)
    elif args.all_at_once or (app.rollout is None and not waves):
        base = all_at_once(app.stacks)
    else:
        base = app.rollout or RolloutPolicy()
    return base.overridden(waves=waves, gate=args.gate, on_failure=args.on_failure, soak=args.soak)


def resolved(fleet: Fleet, app: App, policy: RolloutPolicy, args: argparse.Namespace) -> RolloutPolicy:
    """The policy with its waves' selectors as stack names, and the waves checked (a stack in
    two waves, a target in none): bad input before any stack is contacted."""
    where = "--wave" if args.wave else f"[apps.{app.name}.rollout]"
    policy = dataclasses.replace(policy, waves=fleet.expand_waves(app, policy.waves, where))
    check_waves(policy.waves, app.name, app.stacks, list(fleet.stacks), policy.partial)
    return policy


def deploy_rollout(ctx: Context, args: argparse.Namespace, app: App, policy: RolloutPolicy,
                   request: DeployRequest) -> int:
    if policy.has_gates and not args.yes and not sys.stdin.isatty():
        raise InvalidInput(
            f"the rollout of {app.name} waits for promotion after each wave: "
            "pass --yes to promote by itself, or run it in the console"
        )
    lock_wait = validation.duration(args.lock_wait, "--lock-wait") if args.lock_wait else 0.0
    if args.break_lock and sys.stdin.isatty() and not _confirm_break(app):
        raise InvalidInput("not breaking any lock; run again without --break-lock")
    command = ["deploy", app.name, *(f"--wave {','.join(wave)}" for wave in policy.waves
                                     if args.wave)]
    options = RolloutOptions(
        request=request,
        lock=LockRequest(
            holder=new_holder(command, args.reason), wait=lock_wait, break_stale=args.break_lock
        ),
    )
    return asyncio.run(_rollout_and_report(ctx, app.name, policy, options, args.wait, args.yes))


def _confirm_break(app: App) -> bool:
    sys.stdout.write(f"Break deploy locks of {app.name} older than an hour? [y/N] ")
    sys.stdout.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


async def _rollout_and_report(
    ctx: Context, app_name: str, policy: RolloutPolicy, options: RolloutOptions, wait: bool,
    yes: bool,
) -> int:
    app = ctx.fleet.app(app_name)
    engine = open_engine(ctx.fleet, ctx.via, accept_new_host_keys=ctx.args.accept_new_host_key,
                         polls=ctx.polls)
    async with engine:
        rollout = start_rollout(engine, app, policy, options)
        if not ctx.json:
            printer = RolloutPrinter(sys.stdout, rollout, wait)
            printer.heading()
            rollout.subscribe(printer.on_event)
        gate = GateKeeper(rollout, yes, quiet=ctx.json)
        rollout.subscribe(gate.on_event)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, rollout.cancel)
        try:
            progress = await rollout.wait()
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            gate.close()
    if ctx.json:
        print_json(rollout_json(progress, rollout))
    else:
        print_summary(sys.stdout, progress)
    if progress.state is RolloutState.CANCELLED:
        return EXIT_CANCELLED
    return 0 if progress.state is RolloutState.SUCCEEDED else 1


class GateKeeper:
    """Answers the manual gate: promotes by itself with --yes, else asks on the terminal."""

    def __init__(self, rollout: RunningRollout, yes: bool, quiet: bool) -> None:
        self.rollout = rollout
        self.yes = yes
        self.quiet = quiet
        self._asking: asyncio.Task[None] | None = None

    def on_event(self, event: RolloutEvent) -> None:
        if event.kind is not RolloutEventKind.ROLLOUT:
            return
        if self.rollout.state is not RolloutState.AWAITING_PROMOTION:
            return
        if self.yes:
            if not self.quiet:
                sys.stdout.write(f"{self.rollout.progress.reason} yes (--yes)\n")
            self.rollout.promote()
            return
        self._asking = asyncio.get_running_loop().create_task(self._ask())

    async def _ask(self) -> None:
        loop = asyncio.get_running_loop()
        prompt = sys.stderr if self.quiet else sys.stdout  # --json keeps stdout for the JSON
        prompt.write(f"{self.rollout.progress.reason} [y/N] ")
        prompt.flush()
        answer: asyncio.Future[str] = loop.create_future()

        def readable() -> None:
            if not answer.done():
                answer.set_result(sys.stdin.readline())

        try:
            loop.add_reader(sys.stdin.fileno(), readable)
        except (OSError, ValueError):  # nothing to read an answer from: do not go on
            prompt.write("no terminal to answer on: halting\n")
            self.rollout.halt()
            return
        try:
            line = await answer
        finally:
            loop.remove_reader(sys.stdin.fileno())
        if line.strip().lower() in ("y", "yes"):
            self.rollout.promote()
        else:
            self.rollout.halt()

    def close(self) -> None:
        if self._asking is not None:
            self._asking.cancel()


class RolloutPrinter:
    """What a plain ``deploy`` prints while it runs (logs only with --wait)."""

    def __init__(self, out: TextIO, rollout: RunningRollout, wait: bool) -> None:
        self.out = out
        self.rollout = rollout
        self.wait = wait
        self.width = max(len(name) for name in rollout.progress.stacks)
        self.waves = len(rollout.progress.waves)
        self.started = StartAnnouncer(out)

    def write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def heading(self) -> None:
        progress = self.rollout.progress
        if self.waves == 1:
            self.write(f"Triggering deploy for app {progress.app}…")
            return
        policy = progress.policy
        self.write(
            f"Rolling out app {progress.app} in {self.waves} waves "
            f"(gate: {policy.gate.value}, on failure: {policy.on_failure.value})"
        )

    def on_event(self, event: RolloutEvent) -> None:
        progress = self.rollout.progress
        kind = event.kind
        if kind is RolloutEventKind.JOB_ADDED and event.job is not None:
            self._job_added(event.job)
        elif kind is RolloutEventKind.WAVE and event.wave is not None and self.waves > 1:
            wave = progress.wave(event.wave)
            if wave.state is WaveState.DEPLOYING:
                self.write(f"Wave {wave.number} of {self.waves}: {', '.join(wave.stacks)}")
            elif wave.state in (WaveState.PASSED, WaveState.FAILED, WaveState.SOAKING):
                detail = f": {wave.reason}" if wave.reason and wave.state is not WaveState.PASSED else ""
                self.write(f"Wave {wave.number} {wave.state.value}{detail}")
        elif kind is RolloutEventKind.STACK and event.stack is not None:
            self._stack_changed(event.stack)
        elif kind is RolloutEventKind.ROLLOUT and progress.state is RolloutState.ROLLING_BACK:
            self.write(f"Rolling back ({progress.reason}): every stack this rollout moved")
        elif kind is RolloutEventKind.JOB_SLOW and event.job is not None:
            timing = self.rollout.timing(event.job)
            self.write(f"{self._prefix(event.job.stack)}slow: {timing.label()}")

    def _prefix(self, stack: str) -> str:
        return f"{stack.ljust(self.width)} | "

    def _job_added(self, job: DeployJob) -> None:
        if job.status is DeployStatus.SKIPPED:
            return
        if job.rollback_of is not None:
            before = self.rollout.progress.stacks[job.stack].before
            label = before.label if before else "its earlier release"
            self.write(f"↺ Rollback started on {job.stack} (job {job.id}) to {label}")
        else:  # said once the stack has answered, as a plain deploy does
            job.subscribe(self.started.on_event)
            self.started.announce(job)
        if self.wait:
            job.subscribe(self._job_event)

    def _job_event(self, event: JobEvent) -> None:
        prefix = self._prefix(event.job.stack)
        if event.lines:
            self.out.write("".join(prefix + line + "\n" for line in event.lines))
        elif not event.job.is_final:
            timing = self.rollout.timing(event.job)
            eta = f" {timing.label()}" if timing.usual is not None else ""
            self.out.write(f"{prefix}[{event.job.status.value}]{eta}\n")
        self.out.flush()

    def _stack_changed(self, name: str) -> None:
        stack = self.rollout.progress.stacks[name]
        if stack.phase is StackPhase.HELD:
            self.write(f"✗ {stack.reason}")
        elif stack.phase is StackPhase.LOCKING and stack.reason and not self.wait:
            self.write(f"{self._prefix(name)}{stack.reason}")  # with --wait: in the job's log
        elif stack.phase is StackPhase.CHECKING and stack.reason and self.wait:
            self.write(f"{self._prefix(name)}health: {stack.reason}")
        elif stack.phase is StackPhase.PASSED and stack.health == "healthy":
            self.write(f"{self._prefix(name)}healthy")
        elif stack.phase is StackPhase.UNHEALTHY:
            self.write(f"{self._prefix(name)}unhealthy: {stack.reason}")


def print_summary(out: TextIO, progress: RolloutProgress) -> None:
    jobs = progress.jobs
    if not jobs:
        return
    width = max(len(job.stack) for job in jobs)
    for job in jobs:
        stack = progress.stacks[job.stack]
        note = f"rollback of job {job.rollback_of}: " if job.rollback_of is not None else ""
        line = summary_line(job, width, note)
        if job.rollback_of is None and stack.health not in (None, "healthy"):
            line += f", but {stack.health}"
        out.write(line + "\n")
    if len(progress.waves) > 1:
        reason = f": {progress.reason}" if progress.reason else ""
        out.write(f"Rollout {progress.state.value}{reason}\n")
    print_failure_groups(out, progress.app, failures_of(jobs))


def _job_json(job: DeployJob, rollout: RunningRollout) -> dict[str, Any]:
    timing = rollout.timing(job)
    return {
        **job_json(job),
        "usual": round(timing.usual, 3) if timing.usual is not None else None,
        "slow": timing.slow,
        "rollback_of": job.rollback_of,
    }


def rollout_json(progress: RolloutProgress, rollout: RunningRollout) -> dict[str, Any]:
    policy = progress.policy
    waves = []
    for wave in progress.waves:
        stacks = []
        for name in wave.stacks:
            stack = progress.stacks[name]
            job = stack.job
            stacks.append({
                "stack": name,
                "status": job.status.value if job else None,
                "phase": stack.phase.value,
                "reason": stack.reason,
                "sha": job.sha if job else None,
                "job": job.id if job else None,
                "health": stack.health,
                "before": {"sha": stack.before.sha, "image": stack.before.image} if stack.before else None,
                "rollback": _job_json(stack.rollback_job, rollout) if stack.rollback_job else None,
            })
        waves.append({"number": wave.number, "state": wave.state.value, "reason": wave.reason,
                      "stacks": stacks})
    return {
        "app": progress.app,
        "state": progress.state.value,
        "reason": progress.reason,
        "policy": {"gate": policy.gate.value, "on_failure": policy.on_failure.value,
                   "soak": policy.soak, "health_timeout": policy.health_timeout},
        "waves": waves,
        "jobs": [_job_json(job, rollout) for job in progress.jobs],
        "rollbacks": [_job_json(job, rollout) for job in progress.jobs if job.rollback_of is not None],
        "failure_groups": failure_groups_json(failures_of(progress.jobs)),
    }
