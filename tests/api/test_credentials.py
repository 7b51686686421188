"""Where the control plane's URL and token come from, and that the token never shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ownstack_tui.backends.api.backend import ApiBackend
from ownstack_tui.backends.api.credentials import Secret, resolve
from ownstack_tui.errors import InvalidInput
from ownstack_tui.model.fleet import App, Fleet
from tests.api.conftest import ApiWorld

TOKEN = "osk-unit-test-token-1234567890"


def fleet_with(repo: Path | None, url: str | None = "https://cp.example.org") -> Fleet:
    app = App(name="shop", repo=str(repo) if repo else None)
    return Fleet(via="api", control_plane_url=url, apps={"shop": app})


def write_repo_token(repo: Path, token: str) -> Path:
    repo.mkdir(parents=True, exist_ok=True)
    path = repo / ".ownstack-config"
    path.write_text(f"OWNSTACK_APP_ID=47\nOWNSTACK_APP_TOKEN='{token}'\n")
    return path


def write_global_token(home: Path, token: str) -> Path:
    path = home / ".ownstack" / "config"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'[default]\nurl = "https://cp.example.org"\ntoken = "{token}"\n')
    return path


def test_the_environment_token_wins_over_the_repo_and_the_cli_config(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_repo_token(tmp_path / "repo", "from-repo")
    write_global_token(isolated_home, "from-cli")
    monkeypatch.setenv("OWNSTACK_API_TOKEN", TOKEN)
    found = resolve(fleet_with(tmp_path / "repo"))
    assert found.token.reveal() == TOKEN and found.token_source == "$OWNSTACK_API_TOKEN"


def test_an_app_token_in_the_repo_comes_next(tmp_path: Path, isolated_home: Path) -> None:
    path = write_repo_token(tmp_path / "repo", TOKEN)
    write_global_token(isolated_home, "from-cli")
    found = resolve(fleet_with(tmp_path / "repo"))
    assert found.token.reveal() == TOKEN
    assert found.token_source == f"app token in {path}"


def test_the_ownstack_cli_config_comes_last(tmp_path: Path, isolated_home: Path) -> None:
    write_global_token(isolated_home, TOKEN)
    found = resolve(fleet_with(tmp_path / "repo-without-config"))
    assert found.token.reveal() == TOKEN and found.token_source == "~/.ownstack/config"


def test_no_token_anywhere_says_every_way_to_set_one(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve(fleet_with(tmp_path))
    message = str(caught.value)
    assert "OWNSTACK_API_TOKEN" in message and ".ownstack-config" in message
    assert "~/.ownstack/config" in message


def test_the_fleet_url_wins_and_the_environment_fills_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OWNSTACK_API_TOKEN", TOKEN)
    monkeypatch.setenv("OWNSTACK_API_URL", "https://env.example.org/")
    assert resolve(fleet_with(None)).url == "https://cp.example.org"
    assert resolve(fleet_with(None, url=None)).url == "https://env.example.org"
    monkeypatch.delenv("OWNSTACK_API_URL")
    with pytest.raises(InvalidInput, match=r"\[control_plane\].*OWNSTACK_API_URL"):
        resolve(fleet_with(None, url=None))


def test_a_url_carrying_credentials_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OWNSTACK_API_TOKEN", TOKEN)
    with pytest.raises(InvalidInput, match="holds a user or password") as caught:
        resolve(fleet_with(None, url="https://user:hunter2@cp.example.org"))
    assert "hunter2" not in str(caught.value)


def test_the_token_never_shows_in_a_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OWNSTACK_API_TOKEN", TOKEN)
    backend = ApiBackend.from_fleet(fleet_with(None))
    credentials = resolve(fleet_with(None))
    shown = [repr(backend), repr(backend.client), repr(credentials), str(Secret(TOKEN))]
    assert backend.token_source == "$OWNSTACK_API_TOKEN"
    assert backend.credential_label == "$OWNSTACK_API_TOKEN"  # where it came from, not what
    assert backend.target_label == "https://cp.example.org"
    assert not [text for text in shown if TOKEN in text]


def test_deploying_with_the_repo_app_token_works_and_leaks_nowhere_else(
    world: ApiWorld, demo_repo: Path, monkeypatch: pytest.MonkeyPatch, token_search: list[Path]
) -> None:
    monkeypatch.delenv("OWNSTACK_API_TOKEN")
    token_search.append(write_repo_token(demo_repo, world.token))
    result = world.api("deploy", world.app, "--stack", "staging", "--wait")
    assert result.status == 0, result.out + result.err


def test_the_demo_helper_serves_a_fleet_file_without_writing_its_token(
    tmp_path: Path, sandbox_fleet: Any, demo_repo: Path, unique_app: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import os

    from ownstack_tui import paths
    from ownstack_tui.sandbox.control_plane import serving_fleet_file
    from tests.api.conftest import write_fleet
    from tests.cli.helpers import Cli

    sandbox_fleet.write_known_hosts(paths.known_hosts_path())
    fleet_path = write_fleet(tmp_path / "fleet.toml", sandbox_fleet, unique_app, demo_repo, None)
    with serving_fleet_file(fleet_path, work_dir=tmp_path / "cp") as handle:
        token = os.environ["OWNSTACK_API_TOKEN"]
        assert f'url = "{handle.url}"' in fleet_path.read_text()
        result = Cli(fleet_path, capsys)("--via", "api", "stacks", "--json")
        assert result.status == 0, result.err
        assert [row["reachable"] for row in result.json()] == [True, True, True]
    assert "OWNSTACK_API_TOKEN" not in os.environ
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and token.encode() in p.read_bytes()]


def test_the_direct_backend_has_no_credential_to_name() -> None:
    from ownstack_tui.engine.factory import open_backend

    assert open_backend(fleet_with(None), "ssh").credential_label is None
