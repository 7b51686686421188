"""`git push` to a sandbox stack behaves like a push to dokku (dokku.md §2), with real git."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.fixtures.sandbox import make_demo_repo
from tests.sandbox.helpers import commit, git_push, head_sha, run_git

ESC = "\x1b[1G\x1b[K"


async def test_first_push_auto_creates_builds_and_records_the_sha(
    sandbox_stack, sandbox_known_hosts, demo_repo, unique_app, remote_lines
):
    s, app = sandbox_stack, unique_app
    done = await git_push(s, sandbox_known_hosts, demo_repo, app, "main")
    assert done.returncode == 0, done.stderr
    lines = remote_lines(done.stderr)
    assert lines[0] == f"{ESC}-----> Set main as deploy-branch"
    assert lines[1:4] == [
        "-----> Cleaning up...",
        f"-----> Building {app} from herokuish",
        "-----> Adding BUILD_ENV to build environment...",
    ]
    assert "       Procfile declares types -> web, worker" in lines
    assert "-----> Deploying web (count=1)" in lines
    assert lines[-3:] == ["=====> Application deployed:", f"       http://{app}.staging.localhost", ""]
    assert f"To 127.0.0.1:{app}\n * [new branch]      main -> main\n" in done.stderr
    sha = head_sha(demo_repo)
    assert s.deployed_sha(app) == sha
    assert (await s.dokku("apps:report", app, "--app-deploy-source-metadata")).stdout == sha + "\n"
    assert (await s.dokku("apps:report", app, "--app-deploy-source")).stdout == "git-push\n"
    assert (await s.dokku("config:get", app, "GIT_REV")).stdout == sha + "\n"
    assert (await s.dokku("ps:scale", app)).stdout.splitlines()[3:] == ["web:  1", "worker: 0"]
    assert (await s.dokku("git:report", app, "--git-deploy-branch")).stdout == "main\n"
    # A second push of a new commit deploys again and replaces the old containers.
    second = commit(demo_repo, "second")
    done = await git_push(s, sandbox_known_hosts, demo_repo, app, "main")
    assert done.returncode == 0
    assert "-----> Shutting down old containers in 60 seconds" in remote_lines(done.stderr)
    assert s.deployed_sha(app) == second


async def test_push_without_procfile_is_rejected_like_a_failed_build(
    sandbox_stack, sandbox_known_hosts, tmp_path, unique_app, remote_lines
):
    repo = make_demo_repo(tmp_path / "noprocfile", procfile="")
    done = await git_push(sandbox_stack, sandbox_known_hosts, repo, unique_app, "main")
    assert done.returncode == 1
    lines = remote_lines(done.stderr)
    assert lines[-3:] == [
        " !     Failure attaching to container during app build",
        f" !     Removing invalid image tag dokku/{unique_app}:latest",
        " !     App build failed",
    ]
    assert " ! [remote rejected] main -> main (pre-receive hook declined)" in done.stderr
    assert f"error: failed to push some refs to '127.0.0.1:{unique_app}'" in done.stderr
    assert sandbox_stack.deployed_sha(unique_app) is None
    # GIT_REV is set before the build, so it moves even when the build fails.
    rev = await sandbox_stack.dokku("config:get", unique_app, "GIT_REV")
    assert rev.stdout == head_sha(repo) + "\n"
    bare = sandbox_stack.state.repo(unique_app)
    assert run_git("-C", str(bare), "rev-parse", "--verify", "-q", "refs/heads/main").returncode != 0


async def test_push_to_another_branch_is_accepted_without_deploying(
    sandbox_stack, sandbox_known_hosts, demo_repo, unique_app, remote_lines
):
    await sandbox_stack.dokku("apps:create", unique_app)
    await sandbox_stack.dokku("git:set", unique_app, "deploy-branch", "main")
    done = await git_push(sandbox_stack, sandbox_known_hosts, demo_repo, unique_app, "main:feature")
    assert done.returncode == 0
    assert remote_lines(done.stderr) == [
        f"{ESC}-----> WARNING: deploy did not complete, you must push to main.",
        f"{ESC}-----> for example, try 'git push <dokku> feature:main'",
    ]
    assert sandbox_stack.deployed_sha(unique_app) is None


async def test_pushing_the_same_commit_again_is_a_no_op(
    sandbox_stack, sandbox_known_hosts, demo_repo, unique_app
):
    assert (await git_push(sandbox_stack, sandbox_known_hosts, demo_repo, unique_app, "main")).returncode == 0
    done = await git_push(sandbox_stack, sandbox_known_hosts, demo_repo, unique_app, "main")
    assert done.returncode == 0
    assert "Everything up-to-date" in done.stderr
    assert "remote:" not in done.stderr


async def test_push_to_an_invalid_new_app_name_fails_before_git(
    sandbox_stack, sandbox_known_hosts, demo_repo
):
    done = await git_push(sandbox_stack, sandbox_known_hosts, demo_repo, "Bad_Name", "main")
    assert done.returncode == 128
    assert done.stderr.startswith(" !     App name must begin with lowercase alphanumeric")
    assert "fatal: Could not read from remote repository." in done.stderr


async def test_auto_creation_can_be_disabled(sandbox_fleet, sandbox_known_hosts, demo_repo, unique_app):
    stack = sandbox_fleet["prod-west"]
    await stack.dokku("apps:set", "--global", "disable-autocreation", "true")
    try:
        done = await git_push(stack, sandbox_known_hosts, demo_repo, unique_app, "main")
    finally:
        await stack.dokku("apps:set", "--global", "disable-autocreation")
    assert done.returncode == 128
    assert done.stderr.startswith(
        " !     App auto-creation disabled.\n"
        f" !     Re-enable app auto-creation or create an app with 'dokku apps:create {unique_app}'\n"
    )


async def test_a_push_during_a_deploy_hits_the_deploy_lock(
    sandbox_stack, sandbox_known_hosts, demo_repo, tmp_path, unique_app, remote_lines
):
    s, kh, app = sandbox_stack, sandbox_known_hosts, unique_app
    assert (await git_push(s, kh, demo_repo, app, "main")).returncode == 0
    # apps:lock only creates the file: it does not block a push (dokku.md §3).
    await s.dokku("apps:lock", app)
    assert (await git_push(s, kh, demo_repo, app, "main:refs/heads/main", "--force")).returncode == 0
    await s.dokku("apps:unlock", app)
    commit(demo_repo, "slow one")
    s.set_fault(build_line_delay_ms=40)
    first = asyncio.ensure_future(git_push(s, kh, demo_repo, app, "main"))
    # Wait until the first deploy holds the lock, then push another clone's commit.
    lock = s.state.deploy_lock_path(app)
    for _ in range(200):
        if lock.exists():
            break
        await asyncio.sleep(0.02)
    other = tmp_path / "other"
    run_git("clone", "-q", str(demo_repo), str(other))
    commit(other, "racing")
    second = await git_push(s, kh, other, app, "main", "--force")
    s.set_fault(build_line_delay_ms=0)
    assert (await first).returncode == 0
    assert second.returncode == 1
    assert remote_lines(second.stderr)[-2:] == [
        f" !     {app} currently has a deploy lock in place. Exiting...",
        " !     Run 'apps:unlock' to release the existing deploy lock",
    ]


async def test_git_from_image_and_rebuild(sandbox_stack, unique_app):
    s, app = sandbox_stack, unique_app
    await s.dokku("apps:create", app)
    done = await s.dokku("git:from-image", app, "nginx:1.27")
    assert done.exit_status == 0, done.stderr
    assert done.stdout.splitlines()[:5] == [
        "-----> Generating build context",
        "-----> Pulling image",
        "-----> Updating git repository with specified build context",
        "-----> Cleaning up...",
        f"-----> Building {app} from Dockerfile",
    ]
    assert s.deployed_sha(app) == "nginx:1.27"
    assert (await s.dokku("apps:report", app, "--app-deploy-source")).stdout == "docker-image\n"
    again = await s.dokku("git:from-image", app, "nginx:1.27")
    assert again.exit_status == 1
    assert again.stderr == (
        " !     No changes detected, skipping git commit\n"
        " !     Call 'ps:rebuild' on app to rebuild the app from existing source\n"
    )
    rebuilt = await s.dokku("ps:rebuild", app)
    assert rebuilt.exit_status == 0
    assert rebuilt.stdout.startswith("-----> Cleaning up...\n")
    assert "remote:" not in rebuilt.stdout
    assert s.deployed_sha(app) == "nginx:1.27"


def test_demo_repo_fixture_has_a_procfile(demo_repo: Path) -> None:
    assert (demo_repo / "Procfile").read_text().startswith("web:")


async def test_a_client_leaving_mid_build_stops_the_build(
    sandbox_stack, sandbox_known_hosts, demo_repo, unique_app
):
    import os
    import signal
    import subprocess

    from tests.fixtures.sandbox import git_ssh_env
    from tests.sandbox.helpers import processes_mentioning

    sandbox_stack.set_fault(build_line_delay_ms=60_000)
    client = subprocess.Popen(
        ["git", "-C", str(demo_repo), "push", f"dokku@127.0.0.1:{unique_app}", "main"],
        env=git_ssh_env(sandbox_stack, sandbox_known_hosts),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    hook = f"git-hook {unique_app}"
    for _ in range(250):
        if processes_mentioning(hook):
            break
        await asyncio.sleep(0.02)
    assert processes_mentioning(hook)
    os.killpg(client.pid, signal.SIGKILL)
    client.wait()
    for _ in range(100):
        if not processes_mentioning(hook):
            break
        await asyncio.sleep(0.05)
    assert processes_mentioning(hook) == []
    assert sandbox_stack.deployed_sha(unique_app) is None


async def test_switching_the_build_delay_off_frees_a_frozen_build(
    sandbox_stack, sandbox_known_hosts, demo_repo, unique_app
):
    sandbox_stack.set_fault(build_line_delay_ms=60_000)
    push = asyncio.ensure_future(git_push(sandbox_stack, sandbox_known_hosts, demo_repo, unique_app, "main"))
    lock = sandbox_stack.state.deploy_lock_path(unique_app)
    for _ in range(250):
        if lock.exists():
            break
        await asyncio.sleep(0.02)
    sandbox_stack.set_fault(build_line_delay_ms=0)
    done = await asyncio.wait_for(push, 30)
    assert done.returncode == 0
    assert sandbox_stack.deployed_sha(unique_app) == head_sha(demo_repo)


async def test_remote_lines_stream_while_the_build_runs(
    sandbox_stack, sandbox_known_hosts, demo_repo, unique_app
):
    import subprocess

    from tests.fixtures.sandbox import git_ssh_env

    sandbox_stack.set_fault(build_line_delay_ms=100)
    client = subprocess.Popen(
        ["git", "-C", str(demo_repo), "push", "--progress", f"dokku@127.0.0.1:{unique_app}", "main"],
        env=git_ssh_env(sandbox_stack, sandbox_known_hosts),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert client.stderr is not None
    line = await asyncio.to_thread(client.stderr.readline)
    while "Cleaning up" not in line:
        line = await asyncio.to_thread(client.stderr.readline)
    assert line.startswith("remote: -----> Cleaning up...")
    assert client.poll() is None  # the push is still going: lines arrive as they are made
    sandbox_stack.set_fault(build_line_delay_ms=0)
    rest = await asyncio.to_thread(client.stderr.read)
    assert await asyncio.to_thread(client.wait) == 0
    assert "remote: =====> Application deployed:" in rest
