"""Bad input on the command line, as one table: each row is refused with exit status 2 and
exactly one stderr line naming the problem, no traceback, nothing printed on stdout, the fleet
file byte-identical, and no stack (or control plane) contacted.

"No contact" is proven, not assumed: every stack in the fleet, and the control-plane URL,
point at one local listener that counts the connections it gets; it must get none.

To add a case, add a row: ``(argv, fragment of the error line)``. A ``bytes`` item in argv is
written to a file of its own and replaced by that file's path (for config:push). The
malformed-fleet-file cases live in tests/fleet in the same style; rows that can only be
judged against a stack (its process types) in tests/integration/test_bad_input_on_stacks.py.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import Cli, make_git_repo

MB = 1 << 20
Row = tuple[tuple[str | bytes, ...], str]

NAMES: list[Row] = [
    (("deploy", "nosuch"), "unknown app 'nosuch'; known apps: blog, shop"),
    (("deploy", "shop", "--stack", "nosuch"), "unknown stack 'nosuch'"),
    (("deploy", "shop", "--stack", "Staging"), "invalid stack name 'Staging'"),
    (("deploy", "blog", "--stack", "prod-east"), "stack 'prod-east' is not a target of app blog"),
    (("stack:add", "Bad_Name", "--host", "198.51.100.1"), "invalid stack name 'Bad_Name'"),
    (("stack:add", "staging", "--host", "198.51.100.1"), "stack 'staging' already exists"),
    (("stack:add", "new", "--host", "bad host!"), "invalid host 'bad host!'"),
    (("stack:add", "new", "--host", "h.example", "--port", "0"), "invalid port '0'"),
    (("stack:add", "new", "--host", "h.example", "--port", "65536"), "invalid port '65536'"),
    (("stack:add", "new", "--host", "h.example", "--port", "ssh"), "invalid port 'ssh'"),
    (("stack:add", "new", "--host", "h.example", "--user", "Root User"), "invalid SSH user 'Root User'"),
    (("stack:add", "new", "--host", "h.example", "--identity", "/no/such/key"),
     "identity file /no/such/key does not exist"),
    (("stack:remove", "nosuch"), "unknown stack 'nosuch'"),
    (("stack:remove", "staging"), "stack staging is a target of shop, blog"),
    (("app", "create", "Bad_App", "--repo", "{repo}"), "invalid app name 'Bad_App'"),
    (("app", "create", "new", "--repo", "/no/such/repo"), "/no/such/repo is not a git repository"),
    (("app", "create", "shop", "--repo", "{repo}"), "app 'shop' already exists"),
    (("app", "create", "new", "--repo", "{repo}", "--branch", "bad branch"), "invalid git ref 'bad branch'"),
    (("app", "create", "new", "--repo", "{repo}", "--stack", "nosuch"), "unknown stack 'nosuch'"),
    (("app", "stacks", "nosuch"), "unknown app 'nosuch'"),
    (("app", "stacks:add", "shop", "nosuch"), "unknown stack 'nosuch'"),
    (("app", "stacks:remove", "blog", "prod-east"), "stack 'prod-east' is not a target of app blog"),
    (("app", "replicate", "shop", "Bad_App", "--stack", "staging"), "invalid app name 'Bad_App'"),
    (("app", "replicate", "shop", "blog", "--stack", "staging"), "app 'blog' already exists"),
    (("app", "replicate", "shop", "new"), "app replicate needs --stack"),
]

KEYS_AND_VALUES: list[Row] = [
    (("config:set", "--app", "shop", "1BAD=x"), "invalid config key '1BAD'"),
    (("config:set", "--app", "shop", "=x"), "invalid config key ''"),
    (("config:set", "--app", "shop", "="), "invalid config key ''"),
    (("config:set", "--app", "shop", "NOEQUALS"), "invalid pair 'NOEQUALS': write KEY=VALUE"),
    (("config:set", "--app", "shop", "A B=1"), "invalid config key 'A B'"),
    (("config:set", "--app", "shop", "A\nB=1"), "invalid config key 'A\\nB'"),
    (("config:set", "--app", "shop", "PORT=5000"), "PORT is reserved"),
    (("config:set", "--app", "shop", "DOKKU_APP_TYPE=x"), "DOKKU_APP_TYPE is read-only"),
    (("config:set", "--app", "shop", "A=ends\\"), "value of A ends with a backslash"),
    (("config:set", "--app", "shop", 'A=ends"'), "value of A ends with a double quote"),
    (("config:set", "--app", "shop", "A=007"), "value of A looks like a number"),
    (("config:set", "--app", "shop", "BIG=" + "x" * MB), "BIG"),
    (("config:set", "--app", "shop", "--stack", "prod-east", "A=1", "--app", "blog"),
     "stack 'prod-east' is not a target of app blog"),
    (("config:unset", "--app", "shop", "1BAD"), "invalid config key '1BAD'"),
    (("config:unset", "--app", "shop", "PORT"), "PORT is reserved"),
    (("config:get", "1BAD", "--app", "shop"), "invalid config key '1BAD'"),
]

SCALE = ("ps:scale", "--app", "shop", "--stack", "staging")
COUNTS: list[Row] = [
    ((*SCALE, "web=-1"), "invalid count '-1' for process type web"),
    ((*SCALE, "web=1001"), "count 1001 for process type web is too large"),
    ((*SCALE, "web=" + "9" * 40), "is too large"),
    ((*SCALE, "web=two"), "invalid count 'two'"),
    ((*SCALE, "web=1.5"), "invalid count '1.5'"),
    ((*SCALE, "web="), "invalid count ''"),
    ((*SCALE, "=1"), "invalid process type ''"),
    ((*SCALE, "we b=1"), "invalid process type 'we b'"),
    ((*SCALE, "web"), "invalid scale 'web'"),
    (("ps:scale", "--app", "shop", "web=1"), "ps:scale needs --stack"),
    (("ps:scale", "--app", "shop", "--stack", "nosuch", "web=1"), "unknown stack 'nosuch'"),
    (("logs", "--app", "shop", "--tail", "-1"), "--tail -1: give a number of lines >= 0"),
    (("logs", "--app", "shop", "--tail", "many"), "argument --tail: invalid int value: 'many'"),
    (("logs", "--app", "shop", "--ps", "bad type"), "invalid process type 'bad type'"),
    (("demo", "--stacks", "0"), "--stacks 0: give a number from 1 to 200"),
    (("demo", "--stacks", "201"), "--stacks 201: give a number from 1 to 200"),
    (("demo", "--stacks", "201", "--tags"), "--stacks 201: give a number from 1 to 200"),
    (("history", "--app", "shop", "--job", "latest"), "argument --job: invalid int value"),
    (("history", "--app", "shop", "--job", "999"), "no deploy job 999 for app shop"),
]

REFS_AND_IMAGES: list[Row] = [
    (("deploy", "shop", "--ref", "bad ref"), "invalid git ref 'bad ref'"),
    (("deploy", "shop", "--ref", "main..HEAD"), "invalid git ref 'main..HEAD'"),
    (("deploy", "shop", "--ref", "--force"), "argument --ref: expected one argument"),
    (("deploy", "shop", "--ref", "no-such-branch"), "--ref no-such-branch: no such branch, tag or commit"),
    (("deploy", "shop", "--ref", "0123456789abcdef" * 2 + "01234567"), "no such branch, tag or commit"),
    (("deploy", "shop", "--image", "bad image!"), "invalid image 'bad image!'"),
    (("deploy", "shop", "--image", "-x"), "argument --image: expected one argument"),
    (("deploy", "shop", "--ref", "main", "--image", "r/shop:1"), "not allowed with argument"),
]

EMPTY_WORDS: list[Row] = [
    (("deploy", ""), "argument APP: is empty"),
    (("deploy", "shop", "--image", ""), "argument --image: is empty"),
    (("deploy", "shop", "--ref", ""), "argument --ref: is empty"),
    (("deploy", "shop", "--stack", ""), "argument --stack: is empty"),
    (("--fleet", "", "stacks"), "argument --fleet: is empty"),
    (("stacks", "--fleet", ""), "argument --fleet: is empty"),
    (("config", "--app", ""), "argument --app: is empty"),
    (("config:set", "--app", "shop", ""), "argument KEY=VALUE: is empty"),
    (("config:get", "", "--app", "shop"), "argument key: is empty"),
    (("stack:add", "new", "--host", ""), "argument --host: is empty"),
    (("app", "info", ""), "argument app: is empty"),
    (("", ), "invalid choice: ''"),
]

FLAGS_AND_MISSING: list[Row] = [
    (("deploy", "shop", "--bogus"), "unrecognized arguments: --bogus"),
    (("frobnicate",), "argument COMMAND: invalid choice: 'frobnicate'"),
    (("app", "frob"), "argument VERB: invalid choice: 'frob'"),
    (("--via", "ftp", "stacks"), "argument --via: invalid choice: 'ftp'"),
    (("stacks", "--offline=yes"), "ignored explicit argument 'yes'"),
    (("stack:add", "new"), "the following arguments are required: --host"),
    (("stack:add",), "the following arguments are required: name, --host"),
    (("app", "create", "new"), "the following arguments are required: --repo"),
    (("app", "stacks:add", "shop"), "the following arguments are required: stack"),
    (("app",), "the following arguments are required: VERB"),
    (("config:get",), "the following arguments are required: key"),
    (("config:set", "--app", "shop"), "the following arguments are required: KEY=VALUE"),
    (("config:push", "--app", "shop"), "the following arguments are required: --file"),
    (("deploy",), "several apps in the fleet; pass --app with one of: blog, shop"),
    (("config:set", "A=1"), "several apps in the fleet; pass --app"),
    (("--via", "api", "config:set", "--app", "shop", "A=1"), "no API token for --via api"),
]

ENV_FILES: list[Row] = [
    (("config:push", "--app", "shop", "--file", b"A=1\nB='open\n"),
     "line 2: the value of B opens a quote that is never closed"),
    (("config:push", "--app", "shop", "--file", b"A=1\nsome words here\n"), "line 2: expected KEY='value'"),
    (("config:push", "--app", "shop", "--file", b"A=1\n1B=2\n"), "line 2: invalid config key '1B'"),
    (("config:push", "--app", "shop", "--file", b"PORT=80\n"), "line 1: PORT is reserved"),
    (("config:push", "--app", "shop", "--file", b"A='x\x00y'\n"), "line 1: value of A contains a NUL byte"),
    (("config:push", "--app", "shop", "--file", b"A=1\nB='caf\xe9'\n"), "line 2: not UTF-8 text"),
    (("config:push", "--app", "shop", "--file", b"\xff\xfeA\x00=\x001\x00"), "line 1: not UTF-8 text"),
    (("config:push", "--app", "shop", "--file", b"A=ends\\\\\n"), "line 1: value of A ends with a backslash"),
    (("config:push", "--app", "shop", "--file", b"# only a comment\n"), "holds no KEY='value' lines"),
    (("config:push", "--app", "shop", "--file", b""), "holds no KEY='value' lines"),
    (("config:push", "--app", "shop", "--file", b"BIG='" + b"x" * MB + b"'\n"), "BIG"),
    (("config:push", "--app", "shop", "--file", "/no/such.env"), "cannot read /no/such.env"),
]

HEALTH: list[Row] = [
    (("status", "--app", "nosuch"), "unknown app 'nosuch'"),
    (("status", "--app", "shop", "--stack", "nosuch"), "unknown stack 'nosuch'"),
    (("status", "--app", "blog", "--stack", "prod-east"), "stack 'prod-east' is not a target of app blog"),
    (("ps:restart", "--app", "shop"), "ps:restart needs --stack: one of staging, prod-east"),
    (("ps:rebuild", "--app", "shop"), "ps:rebuild needs --stack: one of staging, prod-east"),
    (("ps:restart", "--app", "shop", "--stack", "nosuch"), "unknown stack 'nosuch'"),
    (("ps:restart", "--app", "shop", "--stack", "staging", "--process", "no such"),
     "invalid process type 'no such'"),
    # stdin is not a terminal under pytest: production-looking stacks need --yes.
    (("ps:restart", "--app", "shop", "--stack", "prod-east"),
     "prod-east looks like production: add --yes to restart shop on prod-east"),
    (("ps:rebuild", "--app", "shop", "--stack", "prod-east"),
     "prod-east looks like production: add --yes to rebuild shop on prod-east"),
]

# The fixture's stacks: staging (tags eu, canary; shop and blog), prod-east (prod, us; shop).
SELECTORS: list[Row] = [
    (("deploy", "shop", "--stack", "tag:nope"),
     "--stack tag:nope: no stack has tag 'nope'; tags in use: canary, eu, prod, us"),
    (("deploy", "blog", "--stack", "tag:prod"),
     "--stack tag:prod: matches no stack of app blog; tags in use there: canary, eu"),
    (("deploy", "shop", "--stack", "qa-*"), "--stack 'qa-*': matches no stack of the fleet"),
    (("deploy", "shop", "--stack", "tag:prod,,staging"), "part 2 of tag:prod,,staging is empty"),
    (("deploy", "shop", "--stack", "tag:prod,"), "part 2 of tag:prod, is empty"),
    (("deploy", "shop", "--stack", "!"), "'!' must be followed by a stack name, tag:TAG or a pattern"),
    (("deploy", "shop", "--stack", "Prod-*"), "invalid pattern 'Prod-*'"),
    (("deploy", "shop", "--stack", "prod/east"), "invalid stack name 'prod/east'"),
    (("deploy", "shop", "--stack", "tags:prod"), "unknown kind 'tags:'; use tag:TAG"),
    (("deploy", "shop", "--stack", "tag:Prod"), "invalid tag 'Prod'"),
    (("deploy", "shop", "--stack", "tag:pro*"), "patterns match stack names only"),
    (("deploy", "shop", "--stack", "tag:prod,!tag:us"),
     "leaves no stack of app shop once !tag:us is taken out"),
    (("deploy", "shop", "--stack", "tag:prod", "--stack", "!tag:cnary"),
     "--stack tag:prod --stack '!tag:cnary': !tag:cnary: no stack has tag 'cnary'"),
    (("deploy", "shop", "--wave", "tag:nope"), "--wave tag:nope: no stack has tag 'nope'"),
    (("deploy", "shop", "--wave", "tag:canary,"), "--wave tag:canary,: part 2 of tag:canary, is empty"),
    (("deploy", "shop", "--wave", "tag:canary", "--wave", "tag:eu,tag:prod"),
     "the rollout of shop names stack(s) more than once: staging"),
    (("deploy", "shop", "--wave", "tag:canary"), "stack(s) of shop not in any wave: prod-east"),
    (("deploy", "shop", "--wave", "tag:canary", "--wave", "!tag:canary", "--stack", "staging"),
     "--wave cannot be combined with --stack"),
    (("config:set", "--app", "shop", "--stack", "tag:nope", "A=1"), "--stack tag:nope: no stack has tag"),
    (("config:unset", "--app", "blog", "--stack", "prod-*", "A"),
     "--stack 'prod-*': matches no stack of app blog"),
    (("config:get", "A", "--app", "shop", "--stack", "*"),
     "--stack '*': matches 2 stacks (staging, prod-east); config:get acts on one stack: name it"),
    (("config:apply", "--app", "shop", "--stack", "!*"), "leaves no stack of app shop"),
    ((*SCALE[:3], "--stack", "tag:eu,tag:us", "web=1"), "matches 2 stacks (staging, prod-east)"),
    (("ps:restart", "--app", "shop", "--stack", "tag:prod,tag:eu"), "ps:restart acts on one stack"),
    (("logs", "--app", "shop", "--stack", "tag:nope"), "--stack tag:nope: no stack has tag"),
    (("status", "--app", "shop", "--stack", "tag:nope"), "--stack tag:nope: no stack has tag"),
    (("history", "--app", "shop", "--stack", "tag:nope"), "--stack tag:nope: no stack has tag"),
    (("app", "create", "new", "--repo", "{repo}", "--stack", "tag:nope"), "no stack has tag 'nope'"),
    (("app", "replicate", "shop", "new", "--stack", "*"), "app replicate acts on one stack"),
    (("stack:tag", "staging", "Bad!"), "invalid tag 'Bad!'"),
    (("stack:tag", "staging", "a,b"), "invalid tag 'a,b'"),
    (("stack:tag", "staging", "tag:prod"), "invalid tag 'tag:prod'"),
    (("stack:tag", "nosuch", "prod"), "unknown stack 'nosuch'"),
    (("stack:tag", "staging"), "the following arguments are required: TAG"),
    (("stack:untag", "staging", "Canary"), "invalid tag 'Canary'"),
    (("stack:add", "new", "--host", "h.example", "--tag", "prod", "--tag", "no way"), "invalid tag 'no way'"),
    (("stack:add", "new", "--host", "h.example", "--tag", ""), "argument --tag: is empty"),
]

ROWS = (
    NAMES + KEYS_AND_VALUES + COUNTS + REFS_AND_IMAGES + EMPTY_WORDS + FLAGS_AND_MISSING + ENV_FILES
    + HEALTH + SELECTORS
)


class CountingListener:
    """A TCP port on 127.0.0.1 that accepts, counts and closes every connection."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.socket.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[CountingListener]:
    counting = CountingListener()
    yield counting
    counting.close()


@pytest.fixture
def fleet(tmp_path: Path, listener: CountingListener) -> Path:
    repo = make_git_repo(tmp_path / "shop")
    (repo / "Procfile").write_text("web: python app.py\n")
    import subprocess

    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", "first"], check=True)
    path = tmp_path / "fleet.toml"
    path.write_text(
        "# a fleet for bad input: every address is the counting listener\n"
        'via = "ssh"\n'
        f'[control_plane]\nurl = "http://127.0.0.1:{listener.port}"\n'
        f'[stacks.staging]\nhost = "127.0.0.1"\nport = {listener.port}\ntags = ["eu", "canary"]\n'
        f'[stacks.prod-east]\nhost = "127.0.0.1"\nport = {listener.port}\ntags = ["prod", "us"]\n'
        f'[apps.shop]\nrepo = "{repo}"\nstacks = ["staging", "prod-east"]\n'
        '[apps.shop.config]\nLOG_LEVEL = "info"\n'
        f'[apps.blog]\nrepo = "{repo}"\nstacks = ["staging"]\n'
    )
    path.chmod(0o600)
    return path


def materialise(argv: tuple[str | bytes, ...], folder: Path) -> list[str]:
    words = []
    for index, word in enumerate(argv):
        if isinstance(word, bytes):
            path = folder / f"input-{index}.env"
            path.write_bytes(word)
            word = str(path)
        words.append(word.replace("{repo}", str(folder / "shop")))
    return words


def row_id(row: Row) -> str:
    text = " ".join(w.decode("utf-8", "replace") if isinstance(w, bytes) else w for w in row[0])
    return (text[:60] + "…") if len(text) > 60 else text


@pytest.mark.parametrize(("argv", "fragment"), ROWS, ids=[row_id(row) for row in ROWS])
def test_bad_input_is_one_line_exit_2_and_changes_and_contacts_nothing(
    argv: tuple[str | bytes, ...],
    fragment: str,
    fleet: Path,
    listener: CountingListener,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before, contacts = fleet.read_bytes(), listener.connections
    result = Cli(fleet, capsys)(*materialise(argv, tmp_path))
    assert result.status == 2, result.err
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ownstack-tui: "), result.err
    assert fragment in lines[0]
    assert "Traceback" not in result.err and result.out == ""
    assert fleet.read_bytes() == before
    assert listener.connections == contacts


@pytest.mark.parametrize(
    ("waves", "fragment"),
    [
        ('[["tag:canary"], ["tag:nope"]]',
         "[apps.shop.rollout] wave 2 (tag:nope): no stack has tag 'nope'; tags in use: canary, eu, prod, us"),
        ('[["tag:eu"], ["tag:us", "staging"]]', "the rollout of shop names stack(s) more than once: staging"),
        ('[["tag:canary"]]', "stack(s) of shop not in any wave: prod-east"),
        ('[["tag:canary"], ["*", "!tag:eu", "!prod-*"]]',
         "wave 2 (*,!tag:eu,!prod-*): leaves no stack of app shop once !tag:eu,!prod-* is taken out"),
    ],
)
def test_the_fleet_files_waves_are_selectors_checked_like_the_options(
    waves: str, fragment: str, fleet: Path, listener: CountingListener, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet.write_text(fleet.read_text() + f"[apps.shop.rollout]\nwaves = {waves}\ngate = \"none\"\n")
    before, contacts = fleet.read_bytes(), listener.connections
    result = Cli(fleet, capsys)("deploy", "shop")
    assert result.status == 2, result.err
    assert result.err.count("\n") == 1 and fragment in result.err, result.err
    assert result.out == "" and fleet.read_bytes() == before
    assert listener.connections == contacts


def test_the_table_covers_enough_cases() -> None:
    assert len(ROWS) >= 60

