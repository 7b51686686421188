"""Watch one control-plane deployment until it ends: its log live, its status, its SHA.

The log is read with ``follow=1`` from a line offset. When the stream is cut (or goes quiet
for too long) the follower asks for the deployment's status and opens the stream again from
the number of complete lines it has, so no line is lost or repeated. A status poller runs
beside the stream so the job's status moves (building, releasing) while lines arrive. The
job ends only when the control plane says the deployment is final and every line is in. A
stream that keeps breaking without progress is given up with one line in the job's log; the
job then follows the status alone, so it still ends with the control plane's verdict.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from ownstack_tui.errors import describe_failure
from ownstack_tui.model.deploy import DeployStatus, can_transition
from ownstack_tui.model.jobs import DeployJob

from . import endpoints
from .client import ApiClient
from .errors import ApiError, ApiNotFound, ApiUnauthorized

POLL_INTERVAL = 0.5  # seconds between status reads while the log streams
FOLLOW_READ_TIMEOUT = 60.0  # a log quiet this long is reopened (it is a read: safe)
MAX_STALLED_RESUMES = 5  # reopenings in a row that brought no new line before giving up
RESUME_BACKOFF = 0.2

_STATUSES = {status.value: status for status in DeployStatus}


def parse_status(value: object) -> DeployStatus | None:
    return _STATUSES.get(str(value)) if value is not None else None


def advance(job: DeployJob, status: DeployStatus | None) -> None:
    """Move a running job forward to a non-final status the control plane reports."""
    if status is None or status.is_final:
        return
    if status != job.status and can_transition(job.status, status):
        job.set_status(status)


def finish(job: DeployJob, data: dict[str, Any]) -> None:
    status = parse_status(data.get("status"))
    sha = data.get("sha") or None
    if status is DeployStatus.SUCCEEDED:
        job.succeed(sha)
    elif status is DeployStatus.CANCELLED:
        reason = data.get("reason") or "cancelled on the control plane"
        job.set_status(DeployStatus.CANCELLED, reason)
    else:
        if sha:
            job.sha = sha
        job.fail(str(data.get("reason") or "the deployment failed on the control plane"))


class DeploymentFollower:
    def __init__(self, client: ApiClient, job: DeployJob, deployment_id: int) -> None:
        self.client = client
        self.job = job
        self.deployment_id = deployment_id
        self.offset = 0  # complete log lines received so far (absolute line number)
        self.resumes = 0  # how often the stream was reopened

    async def run(self) -> None:
        try:
            await self._follow()
        except (ApiUnauthorized, ApiNotFound) as error:
            self.job.fail(str(error))
        except ApiError as error:
            self.job.fail(
                f"lost contact with the control plane while following deployment "
                f"{self.deployment_id} ({error}); it may still be running there"
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            # A malformed answer ends this job only, never the other stacks' followers.
            self.job.fail(
                f"unexpected answer about deployment {self.deployment_id} from "
                f"{self.client.url}: {describe_failure(error)}"
            )

    async def _follow(self) -> None:
        log_path = endpoints.deployment_log(self.deployment_id)
        stalled = 0
        poller = asyncio.get_running_loop().create_task(self._poll())
        try:
            while True:
                before = self.offset
                cut: ApiError | None = None
                try:
                    await self._read_log(log_path)
                except (ApiUnauthorized, ApiNotFound):
                    raise
                except ApiError as error:
                    cut = error
                data = await self.client.get(endpoints.deployment(self.deployment_id))
                status = parse_status(data.get("status"))
                advance(self.job, status)
                total = int(data.get("log_lines") or 0)
                if status is not None and status.is_final and self.offset >= total:
                    finish(self.job, data)
                    return
                stalled = 0 if self.offset > before else stalled + 1
                if stalled >= MAX_STALLED_RESUMES:
                    reason = f": {cut}" if cut else ""
                    self.job.add_lines([
                        f"[the log stream of deployment {self.deployment_id} broke {stalled} "
                        f"times in a row at line {self.offset}{reason}; following its status only]"
                    ])
                    await self._until_final()
                    return
                self.resumes += 1
                await asyncio.sleep(RESUME_BACKOFF * stalled)
        finally:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller

    async def _until_final(self) -> None:
        path = endpoints.deployment(self.deployment_id)
        while True:
            data = await self.client.get(path)
            status = parse_status(data.get("status"))
            if status is not None and status.is_final:
                finish(self.job, data)
                return
            advance(self.job, status)
            await asyncio.sleep(POLL_INTERVAL)

    async def _read_log(self, path: str) -> None:
        params = {"follow": 1, "offset": self.offset}
        async with self.client.stream(path, params, read_timeout=FOLLOW_READ_TIMEOUT) as response:
            start = response.headers.get("X-Log-Start")
            if start is not None and start.isdigit() and int(start) > self.offset:
                # Lines before ``start`` are no longer kept by the control plane.
                gone = int(start) - self.offset
                self.job.add_lines([f"[{gone} earlier lines no longer available]"])
                self.offset = int(start)
            async for lines in self.client.stream_lines(response, path):
                if lines:
                    self.offset += len(lines)
                    self.job.add_lines(lines)

    async def _poll(self) -> None:
        """Status changes while the log streams; errors are left to the main loop."""
        path = endpoints.deployment(self.deployment_id)
        while True:
            await asyncio.sleep(POLL_INTERVAL)
            try:
                data = await self.client.get(path)
            except ApiError:
                continue
            advance(self.job, parse_status(data.get("status")))
            if data.get("sha") and not self.job.sha:
                self.job.sha = str(data["sha"])
