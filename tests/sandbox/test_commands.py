"""The stand-in's commands over SSH print, fail and exit like dokku (shared/reference/dokku.md).

Most checks use asyncssh (fast); the ones that matter for the real OpenSSH client use `ssh`.
"""

from __future__ import annotations

import base64
import json
import re
import shlex
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from tests.fixtures.sandbox import push_demo_app
from tests.sandbox.helpers import connect, ssh

APP_NAME_RULE = (
    " !     App name must begin with lowercase alphanumeric character, and may only contain "
    "lowercase alphanumerics, dots, and hyphens\n"
)
LOG_LINE = re.compile(r"^\x1b\[(\d+)m(\S+Z) app\[([^\]]+)\]:\x1b\[0m (.*)$")


def q(*words: str) -> str:
    return " ".join(shlex.quote(word) for word in words)


async def run(stack: Any, known_hosts: Path, *words: str) -> tuple[int, str, str]:
    return await run_line(stack, known_hosts, q(*words))


async def run_line(stack: Any, known_hosts: Path, command: str) -> tuple[int, str, str]:
    async with connect(stack, known_hosts) as conn:
        result = await conn.run(command, stdin=asyncssh.DEVNULL)
    return result.exit_status, str(result.stdout), str(result.stderr)


@pytest.fixture(scope="module")
def deployed(sandbox_fleet: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An app pushed once to the prod-east stack (web + worker Procfile)."""
    push_demo_app(sandbox_fleet, "prod-east", "cmdapp", tmp_path_factory.mktemp("deployed"))
    return "cmdapp"


# -- apps ----------------------------------------------------------------------------


async def test_apps_create_exists_list_destroy(sandbox_stack, sandbox_known_hosts, unique_app):
    s, kh, app = sandbox_stack, sandbox_known_hosts, unique_app
    assert await run(s, kh, "apps:exists", app) == (20, "", f" !     App {app} does not exist\n")
    assert await run(s, kh, "apps:create", app) == (0, f"-----> Creating {app}...\n", "")
    assert await run(s, kh, "apps:create", app) == (1, "", " !     Name is already taken\n")
    assert await run(s, kh, "apps:exists", app) == (0, "", "")
    status, out, _ = await run(s, kh, "apps:list")
    assert status == 0 and out.startswith("=====> My Apps\n") and f"\n{app}\n" in out
    status, out, _ = await run(s, kh, "apps:list", "--format", "json")
    assert app in json.loads(out)
    assert await run(s, kh, "apps:destroy", app, "--force") == (
        0,
        f"-----> Destroying {app} (including all add-ons)\n-----> Cleaning up...\n"
        "-----> Retiring old containers and images\n",
        "",
    )
    assert (await run(s, kh, "apps:destroy", app, "--force"))[0] == 20


async def test_bad_app_names_are_refused_with_dokkus_message(sandbox_stack, sandbox_known_hosts):
    assert await run(sandbox_stack, sandbox_known_hosts, "apps:create", "Bad_Name") == (
        1,
        "",
        APP_NAME_RULE,
    )


async def test_destroy_without_force_asks_and_aborts_on_eof(sandbox_stack, sandbox_known_hosts, unique_app):
    await sandbox_stack.dokku("apps:create", unique_app)
    status, _, err = await run(sandbox_stack, sandbox_known_hosts, "apps:destroy", unique_app)
    assert status == 1
    assert " !     WARNING: Potentially Destructive Action\n" in err
    assert err.endswith(f">  !     Confirmation did not match {unique_app}. Aborted.\n")
    assert sandbox_stack.state.app_exists(unique_app)


async def test_deploy_lock_commands(sandbox_stack, sandbox_known_hosts, unique_app):
    s, kh, app = sandbox_stack, sandbox_known_hosts, unique_app
    await s.dokku("apps:create", app)
    assert await run(s, kh, "apps:locked", app) == (1, "", " !     Deploy lock does not exist\n")
    assert await run(s, kh, "apps:unlock", app) == (1, "", " !     Unable to remove deploy lock\n")
    assert await run(s, kh, "apps:lock", app) == (0, "-----> Deploy lock created\n", "")
    assert await run(s, kh, "apps:locked", app) == (0, "Deploy lock exists\n", "")
    assert await run(s, kh, "apps:unlock", app) == (
        0,
        "-----> Deploy lock removed\n",
        " !     A deploy may be in progress.\n"
        " !     Removing the app lock will not stop in progress deploys.\n",
    )


async def test_apps_report_layout_json_and_flags(sandbox_stack, sandbox_known_hosts, unique_app):
    s, kh, app = sandbox_stack, sandbox_known_hosts, unique_app
    await s.dokku("apps:create", app)
    status, out, _ = await run(s, kh, "apps:report", app)
    lines = out.splitlines()
    assert lines[0] == f"=====> {app} app information"
    assert lines[1].startswith("       App created at:                  ")
    assert lines[3] == "       App deploy source metadata:      "
    assert lines[5] == "       App global disable autocreation: "
    assert lines[6] == "       App locked:                      false"
    data = json.loads((await run(s, kh, "apps:report", app, "--format", "json"))[1])
    assert data["locked"] == "false" and data["app-locked"] == "false"
    assert all(isinstance(value, str) for value in data.values())
    assert await run(s, kh, "apps:report", app, "--app-locked") == (0, "false\n", "")
    status, _, err = await run(s, kh, "apps:report", app, "--format=json")
    assert status == 1 and err.startswith(" !     Invalid flag passed, valid flags: --app-created-at,")
    assert await run(s, kh, "apps:report", app, "--format", "json", "--app-locked") == (
        1,
        "",
        " !     --format flag cannot be specified when specifying an info flag\n",
    )


# -- config --------------------------------------------------------------------------


async def test_config_set_prints_padded_pairs_and_stores_exact_values(
    sandbox_stack, sandbox_known_hosts, unique_app
):
    s, kh, app = sandbox_stack, sandbox_known_hosts, unique_app
    await s.dokku("apps:create", app)
    tricky = 'it\'s a "quoted" $HOME; *.txt = ok'
    status, out, err = await run(s, kh, "config:set", "--no-restart", app, f"LONG_KEY={tricky}", "K=v")
    assert (status, err) == (0, "")
    assert out == f"-----> Setting config vars\n       LONG_KEY:  {tricky}\n       K:         v\n"
    assert await run(s, kh, "config:get", app, "LONG_KEY") == (0, tricky + "\n", "")
    assert await run(s, kh, "config:get", app, "MISSING") == (1, "", "")
    assert await run(s, kh, "config:get", "--quoted", app, "K") == (0, "'v'\n", "")


async def test_config_set_encoded_keeps_newlines(sandbox_stack, sandbox_known_hosts, unique_app):
    s, kh, app = sandbox_stack, sandbox_known_hosts, unique_app
    await s.dokku("apps:create", app)
    value = "line one\nline two\n"
    encoded = base64.b64encode(value.encode()).decode()
    status, out, _ = await run(s, kh, "config:set", "--encoded", "--no-restart", app, f"PEM={encoded}")
    assert status == 0 and f"PEM:  {value}" in out
    assert await run(s, kh, "config:get", app, "PEM") == (0, value + "\n", "")
    assert await run(s, kh, "config:set", "--encoded", app, "K=abcd=") == (
        1,
        "",
        " !     illegal base64 data at input byte 4 for key 'K'\n",
    )


@pytest.mark.parametrize(
    ("words", "error"),
    [
        ((), " !     At least one env pair must be given\n"),
        (("FOO",), " !     Invalid env pair: FOO\n"),
        (("FOO-BAR=1",), " !     Invalid key name: 'FOO-BAR'\n"),
    ],
)
async def test_config_set_errors(sandbox_stack, sandbox_known_hosts, unique_app, words, error):
    await sandbox_stack.dokku("apps:create", unique_app)
    result = await run(sandbox_stack, sandbox_known_hosts, "config:set", unique_app, *words)
    assert result == (1, "", error)


async def test_config_show_unset_and_every_export_format(sandbox_stack, sandbox_known_hosts, unique_app):
    s, kh, app = sandbox_stack, sandbox_known_hosts, unique_app
    await s.dokku("apps:create", app)
    assert await run(s, kh, "config:export", "--format", "json-list", app) == (0, "null\n", "")
    assert await run(s, kh, "config:show", app) == (0, f"=====> {app} env vars\n\n", "")
    await s.dokku("config:set", "--no-restart", app, "aKey=true", "BKEY=it's")
    expected = {
        "exports": "export BKEY='it'\\''s'\nexport aKey='true'\n",
        "envfile": 'BKEY="it\'s"\naKey="true"\n',
        "docker-args": "--env=BKEY='it'\\''s' --env=aKey='true'\n",
        "docker-args-keys": "--env=BKEY --env=aKey\n",
        "pack-keys": "--env BKEY --env aKey\n",
        "shell": "BKEY='it'\\''s' aKey='true' ",
        "pretty": "BKEY:  it's\naKey:  true\n",
        "json": '{"BKEY":"it\'s","aKey":"true"}\n',
        "json-list": '[{"name":"BKEY","value":"it\'s"},{"name":"aKey","value":"true"}]\n',
    }
    for fmt, text in expected.items():
        assert await run(s, kh, "config:export", "--format", fmt, app) == (0, text, ""), fmt
    assert await run(s, kh, "config:export", app) == (0, expected["exports"], "")
    assert await run(s, kh, "config:export", "--format", "yaml", app) == (
        1,
        "",
        " !     Unknown export format: yaml\n",
    )
    assert await run(s, kh, "config:show", app) == (
        0,
        f"=====> {app} env vars\nBKEY:  it's\naKey:  true\n",
        "",
    )
    assert await run(s, kh, "config:keys", app) == (0, "BKEY\naKey\n", "")
    assert await run(s, kh, "config:unset", "--no-restart", app, "aKey", "NOPE") == (
        0,
        "-----> Unsetting aKey\n-----> Skipping NOPE, it is not set in the environment\n",
        "",
    )
    assert await run(s, kh, "config:unset", app) == (1, "", " !     At least one key must be given\n")


async def test_integer_looking_values_come_back_as_dokku_stores_them(
    sandbox_stack, sandbox_known_hosts, unique_app
):
    await sandbox_stack.dokku("apps:create", unique_app)
    await sandbox_stack.dokku("config:set", "--no-restart", unique_app, "N=007")
    assert await run(sandbox_stack, sandbox_known_hosts, "config:get", unique_app, "N") == (0, "7\n", "")


async def test_config_set_on_a_deployed_app_restarts_it(sandbox_fleet, sandbox_known_hosts, deployed):
    stack = sandbox_fleet["prod-east"]
    status, out, _ = await run(stack, sandbox_known_hosts, "config:set", deployed, "LOG_LEVEL=info")
    assert status == 0
    assert f"-----> Restarting app {deployed}\n" in out
    assert out.rstrip("\n").splitlines()[-2:] == [
        "=====> Application deployed:",
        f"       http://{deployed}.prod-east.localhost",
    ]


# -- ps ------------------------------------------------------------------------------


async def test_ps_scale_show_json_and_set(sandbox_fleet, sandbox_known_hosts, deployed):
    stack, kh = sandbox_fleet["prod-east"], sandbox_known_hosts
    await stack.dokku("ps:scale", "--skip-deploy", deployed, "web=1", "worker=0")
    assert await run(stack, kh, "ps:scale", deployed) == (
        0,
        f"-----> Scaling for {deployed}\nproctype: qty\n--------: ---\nweb:  1\nworker: 0\n",
        "",
    )
    assert await run(stack, kh, "ps:scale", "--format", "json", deployed) == (
        0,
        '[{"process_type":"web","quantity":1},{"process_type":"worker","quantity":0}]\n',
        "",
    )
    status, out, _ = await run(stack, kh, "ps:scale", deployed, "worker=1")
    assert status == 0
    assert out.splitlines()[:2] == [
        f"-----> Scaling {deployed} processes: worker=1",
        "-----> Deploying worker (count=1)",
    ]
    assert "Application deployed" not in out
    assert await run(stack, kh, "ps:scale", deployed, "web=x") == (
        1,
        f"-----> Scaling {deployed} processes: web=x\n",
        " !     Invalid count for process type web\n",
    )
    assert (await run(stack, kh, "ps:scale", deployed, "cron=1"))[2] == (
        " !     cron is not a valid process name to scale up\n"
    )


async def test_ps_report_text_and_json(sandbox_fleet, sandbox_known_hosts, deployed):
    stack, kh = sandbox_fleet["prod-east"], sandbox_known_hosts
    _, out, _ = await run(stack, kh, "ps:report", deployed)
    lines = out.splitlines()
    assert lines[0] == f"=====> {deployed} ps information"
    assert lines[1] == "       Deployed:                         true"
    assert "       Ps computed restart policy:       on-failure:10" in lines
    assert re.search(r"\n       Status web 1:                     running \(CID: [0-9a-f]{11}\)\n", out)
    data = json.loads((await run(stack, kh, "ps:report", deployed, "--format", "json"))[1])
    assert data["deployed"] == "true"  # not under --ps-, so no legacy twin
    assert data["can-scale"] == "true" and data["ps-can-scale"] == "true"
    assert data["status-web.1"].startswith("running (CID: ")
    assert await run(stack, kh, "ps:report", deployed, "--deployed") == (0, "true\n", "")


async def test_ps_commands_on_an_app_never_deployed_warn_and_succeed(
    sandbox_stack, sandbox_known_hosts, unique_app
):
    await sandbox_stack.dokku("apps:create", unique_app)
    for command in ("ps:restart", "ps:stop", "ps:start"):
        assert await run(sandbox_stack, sandbox_known_hosts, command, unique_app) == (
            0,
            "",
            f" !     App {unique_app} has not been deployed\n",
        )
    assert await run(sandbox_stack, sandbox_known_hosts, "ps:rebuild", unique_app) == (0, "", "")


async def test_ps_stop_start_restart_cycle(sandbox_fleet, sandbox_known_hosts, deployed):
    stack, kh = sandbox_fleet["prod-east"], sandbox_known_hosts
    assert await run(stack, kh, "ps:stop", deployed) == (0, f"-----> Stopping {deployed}\n", "")
    assert (await run(stack, kh, "ps:report", deployed, "--running"))[1] == "false\n"
    status, out, err = await run(stack, kh, "ps:start", deployed)
    assert status == 0 and err == " !     App has been detected as not running, releasing\n"
    assert "=====> Application deployed:" in out
    assert await run(stack, kh, "ps:start", deployed) == (
        0,
        "",
        f" !     App {deployed} already running\n",
    )
    status, out, _ = await run(stack, kh, "ps:restart", deployed)
    assert out.startswith("-----> Deploying web (count=1)\n")
    assert "Application deployed" not in out


# -- logs ----------------------------------------------------------------------------


async def test_logs_lines_are_coloured_docker_lines(sandbox_fleet, sandbox_known_hosts, deployed):
    stack, kh = sandbox_fleet["prod-east"], sandbox_known_hosts
    status, out, _ = await run(stack, kh, "logs", deployed, "--num", "5")
    assert status == 0 and out
    for line in out.splitlines():
        match = LOG_LINE.match(line)
        assert match, line
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$", match.group(2))
    _, quiet, _ = await run(stack, kh, "logs", deployed, "-q", "-p", "web")
    assert quiet and "\x1b[" not in quiet and "app[" not in quiet


async def test_logs_follow_streams_until_the_client_leaves(sandbox_fleet, sandbox_known_hosts, deployed):
    stack = sandbox_fleet["prod-east"]
    async with connect(stack, sandbox_known_hosts) as conn:
        process = await conn.create_process(q("logs", deployed, "-t", "-p", "web", "--num", "1"))
        lines = [await process.stdout.readline() for _ in range(3)]
        process.close()
    assert all(LOG_LINE.match(line.rstrip("\n")) for line in lines)
    # The stack keeps serving after the follower went away.
    assert (await run(stack, sandbox_known_hosts, "version"))[0] == 0


async def test_logs_of_app_never_deployed(sandbox_stack, sandbox_known_hosts, unique_app):
    await sandbox_stack.dokku("apps:create", unique_app)
    assert await run(sandbox_stack, sandbox_known_hosts, "logs", unique_app) == (
        1,
        "",
        f" !     App {unique_app} has not been deployed\n",
    )


# -- git, certs, services, misc ------------------------------------------------------


async def test_git_report_and_set(sandbox_stack, sandbox_known_hosts, unique_app):
    s, kh, app = sandbox_stack, sandbox_known_hosts, unique_app
    await s.dokku("apps:create", app)
    status, out, _ = await run(s, kh, "git:report", app)
    lines = out.splitlines()
    assert lines[0] == f"=====> {app} git information"
    assert "       Git computed archive max files: 10000" in lines
    assert "       Git computed deploy branch:     master" in lines
    assert "       Git rev env var:                GIT_REV" in lines
    # Unborn HEAD in the bare repo: git rev-parse prints the word HEAD (dokku.md §11).
    assert await run(s, kh, "git:report", app, "--git-sha") == (0, "HEAD\n", "")
    assert await run(s, kh, "git:set", app, "deploy-branch", "main") == (
        0,
        "=====> Setting deploy-branch to main\n",
        "",
    )
    data = json.loads((await run(s, kh, "git:report", app, "--format", "json"))[1])
    assert data["deploy-branch"] == "main" and "git-deploy-branch" not in data
    assert await run(s, kh, "git:set", app, "deploy-branch") == (
        0,
        "=====> Unsetting deploy-branch\n",
        "",
    )
    status, _, err = await run(s, kh, "git:set", app, "colour", "x")
    assert status == 1 and err.startswith(" !     Invalid key specified, valid keys include: ")


async def test_git_commands_keep_quotes_literally(sandbox_stack, sandbox_known_hosts, unique_app):
    await sandbox_stack.dokku("apps:create", unique_app)
    # Quoting a git:* word breaks it: dokku sees the quotes (bash plugin: "does not exist").
    line = f"git:set '{unique_app}' deploy-branch main"
    assert await run_line(sandbox_stack, sandbox_known_hosts, line) == (
        20,
        "",
        f" !     App '{unique_app}' does not exist\n",
    )
    # Go plugins check the name first.
    line = f"git:report '{unique_app}'"
    assert await run_line(sandbox_stack, sandbox_known_hosts, line) == (1, "", APP_NAME_RULE)


async def test_postgres_and_redis_create_link_and_info(sandbox_stack, sandbox_known_hosts, unique_app):
    s, kh, app = sandbox_stack, sandbox_known_hosts, unique_app
    await s.dokku("apps:create", app)
    db = f"{app}-db".replace(".", "-")
    assert await run(s, kh, "postgres:exists", db) == (
        1,
        "",
        f" !     Postgres service {db} does not exist\n",
    )
    status, out, _ = await run(s, kh, "postgres:create", db)
    assert status == 0
    assert out.splitlines()[:5] == [
        "       Waiting for container to be ready",
        "       Creating container database",
        "       Securing connection to database",
        f"=====> Postgres container created: {db}",
        f"=====> {db} postgres service information",
    ]
    assert (await run(s, kh, "postgres:create", db))[2] == (f" !     Postgres service {db} already exists\n")
    assert await run(s, kh, "postgres:exists", db) == (0, f"-----> Service {db} exists\n", "")
    status, out, _ = await run(s, kh, "postgres:link", db, app)
    assert status == 0 and out.startswith("-----> Setting config vars\n       DATABASE_URL:  postgres://")
    url = (await run(s, kh, "config:get", app, "DATABASE_URL"))[1].strip()
    database = db.replace("-", "_")
    assert re.match(rf"^postgres://postgres:[0-9a-f]{{32}}@dokku-postgres-{db}:5432/{database}$", url)
    assert await run(s, kh, "postgres:info", db, "--dsn") == (0, url + "\n", "")
    assert (await run(s, kh, "postgres:link", db, app))[2] == " !     Already linked as DATABASE_URL\n"
    assert await run(s, kh, "postgres:info", db, "--links") == (0, f"{app} \n", "")
    cache = f"{app}-cache".replace(".", "-")
    assert (await run(s, kh, "redis:create", cache))[0] == 0
    assert (await run(s, kh, "redis:exists", cache))[0] == 0
    assert (await run(s, kh, "redis:link", cache, app))[0] == 0
    redis_url = (await run(s, kh, "config:get", app, "REDIS_URL"))[1].strip()
    assert re.match(rf"^redis://:[0-9a-f]{{32}}@dokku-redis-{cache}:6379$", redis_url)


async def test_certs_report_version_and_unknown_commands(sandbox_stack, sandbox_known_hosts, unique_app):
    s, kh, app = sandbox_stack, sandbox_known_hosts, unique_app
    await s.dokku("apps:create", app)
    _, out, _ = await run(s, kh, "certs:report", app)
    assert out.splitlines()[:3] == [
        f"=====> {app} ssl information",
        f"       Ssl dir:                       /home/dokku/{app}/tls",
        "       Ssl enabled:                   false",
    ]
    assert await run(s, kh, "version") == (0, "dokku version 0.38.27\n", "")
    assert await run(s, kh, "foo:bar", app) == (
        1,
        "",
        f" !     `foo:bar {app}` is not a dokku command.\n"
        " !     See `dokku help` for a list of available commands.\n",
    )
    for command in ("config:show", "ps:report", "git:report", "logs", "certs:report"):
        assert (await run(s, kh, command, "missing-app"))[0] == 20, command
    assert await run(s, kh, "apps:list", "--quiet") != (0, "", "")
    assert (await run(s, kh, "config:set", app, "--bogus", "A=1"))[0] == 2


# -- the real OpenSSH client ---------------------------------------------------------


async def test_openssh_client_gets_dokkus_output_and_exit_codes(
    sandbox_stack, sandbox_known_hosts, unique_app
):
    s, kh, app = sandbox_stack, sandbox_known_hosts, unique_app
    done = await ssh(s, kh, "apps:create", app)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"-----> Creating {app}...\n", "")
    done = await ssh(s, kh, "apps:exists", "nope-nope")
    assert (done.returncode, done.stderr) == (20, " !     App nope-nope does not exist\n")
    value = "two words; $dollar 'single' \"double\" end"
    done = await ssh(s, kh, "config:set", "--no-restart", app, shlex.quote(f"V={value}"))
    assert done.returncode == 0, done.stderr
    done = await ssh(s, kh, "config:get", app, "V")
    assert done.stdout == value + "\n"
    # `-n` is eaten by echo inside dokku's entry script: the count never arrives.
    done = await ssh(s, kh, "logs", app, "-n", "5")
    assert (done.returncode, done.stderr) == (1, f" !     App {app} has not been deployed\n")


async def test_config_set_succeeds_even_when_the_restart_fails(sandbox_fleet, sandbox_known_hosts, deployed):
    stack = sandbox_fleet["prod-east"]
    stack.set_fault(deploy_locked=True)
    try:
        status, out, err = await run(stack, sandbox_known_hosts, "config:set", deployed, "X=1")
    finally:
        stack.clear_faults()
    assert status == 0
    assert out.startswith("-----> Setting config vars\n       X:  1\n-----> Restarting app ")
    assert err.endswith(" !     Failure while restarting app: exit status 1\n")
    assert (await stack.dokku("config:get", deployed, "X")).stdout == "1\n"
