"""Parsers, on the exact output formats in reference/dokku.md."""

from __future__ import annotations

import pytest

from ownstack_tui.backends.dokku import parsers
from ownstack_tui.backends.dokku.parsers import PushLine, PushLineSplitter

APPS_REPORT = (
    "=====> myapp app information\n"
    "       App created at:                  1700000000\n"
    "       App deploy source:               git-push\n"
    "       App deploy source metadata:      0123456789abcdef0123456789abcdef01234567\n"
    "       App dir:                         /home/dokku/myapp\n"
    "       App global disable autocreation: \n"
    "       App locked:                      false\n"
)


def test_report_rows_are_split_at_the_first_colon_with_padding_removed() -> None:
    [block] = parsers.parse_report(APPS_REPORT)
    assert (block.name, block.kind) == ("myapp", "app")
    assert block.rows == {
        "App created at": "1700000000",
        "App deploy source": "git-push",
        "App deploy source metadata": "0123456789abcdef0123456789abcdef01234567",
        "App dir": "/home/dokku/myapp",
        "App global disable autocreation": "",
        "App locked": "false",
    }


def test_report_values_keep_their_colons_and_inner_spaces() -> None:
    text = (
        "=====> myapp ps information\n"
        "       Deployed:                         true\n"
        "       Status web 1:                     running (CID: 0123456789a)\n"
        "       Ps computed restart policy:       on-failure:10\n"
    )
    [block] = parsers.parse_report(text)
    assert block.rows["Status web 1"] == "running (CID: 0123456789a)"
    assert block.rows["Ps computed restart policy"] == "on-failure:10"


def test_report_without_an_app_has_one_block_per_app() -> None:
    blocks = parsers.parse_report(APPS_REPORT + APPS_REPORT.replace("myapp", "other"))
    assert [block.name for block in blocks] == ["myapp", "other"]


def test_report_json_is_ndjson_of_strings() -> None:
    text = (
        '{"created-at":"1700000000","deploy-source":"git-push",'
        '"deploy-source-metadata":"0123456789abcdef0123456789abcdef01234567","locked":"false"}\n'
        '{"created-at":"1700000001","deploy-source":"","deploy-source-metadata":"","locked":"true"}\n'
    )
    first, second = parsers.parse_report_json(text)
    source = parsers.deploy_source_from_report(first)
    assert source.sha == "0123456789abcdef0123456789abcdef01234567"
    assert parsers.deploy_source_from_report(second).sha is None


def test_deployed_sha_comes_from_git_sync_metadata_and_not_from_images() -> None:
    sync = parsers.DeploySource("git-sync", "https://x/y.git#" + "a" * 40)
    assert sync.sha == "a" * 40
    image = parsers.DeploySource("docker-image", "registry/app:1")
    assert image.sha is None
    assert image.image == "registry/app:1"


def test_single_report_flag_is_the_value_without_its_newline() -> None:
    assert parsers.parse_report_value("git-push\n") == "git-push"
    assert parsers.parse_report_value("\n") == ""


def test_apps_list_in_both_formats() -> None:
    assert parsers.parse_apps_list("=====> My Apps\napi\nshop\n") == ["api", "shop"]
    assert parsers.parse_apps_list('["api","shop"]\n') == ["api", "shop"]
    assert parsers.parse_apps_list("[]\n") == []
    assert parsers.parse_apps_list("") == []


def test_config_export_json_including_go_escapes() -> None:
    text = '{"BKEY":"true","HTML":"\\u003cb\\u003e \\u0026","aKey":"line\\nbreak"}\n'
    assert parsers.parse_config_json(text) == {
        "BKEY": "true", "HTML": "<b> &", "aKey": "line\nbreak",
    }
    assert parsers.parse_config_json("{}\n") == {}


def test_ps_scale_text_and_json() -> None:
    text = (
        "-----> Scaling for myapp\n"
        "proctype: qty\n"
        "--------: ---\n"
        "web:  1\n"
        "worker: 0\n"
    )
    assert parsers.parse_ps_scale(text) == {"web": 1, "worker": 0}
    json_text = (
        '[{"process_type":"web","quantity":1},{"process_type":"worker","quantity":0}]\n'
    )
    assert parsers.parse_ps_scale(json_text) == {"web": 1, "worker": 0}
    assert parsers.parse_ps_scale("[]\n") == {}


def test_version() -> None:
    assert parsers.parse_version("dokku version 0.38.27\n") == "0.38.27"
    assert parsers.parse_version("dokku version master\n") == "master"
    with pytest.raises(parsers.ParseError):
        parsers.parse_version("echo (GNU coreutils) 9.1\n")


def test_service_info_lists_links() -> None:
    text = (
        "=====> postgres-shop postgres service information\n"
        "       Config dir:          /var/lib/dokku/services/postgres/postgres-shop/data\n"
        "       Config options:      \n"
        "       Dsn:                 postgres://postgres:pw@dokku-postgres-postgres-shop:5432/x\n"
        "       Exposed ports:       -\n"
        "       Links:               shop shop-copy\n"
        "       Status:              running\n"
    )
    info = parsers.parse_service_info(text)
    assert info.name == "postgres-shop"
    assert info.links == ("shop", "shop-copy")
    assert info.status == "running"
    assert info.rows["Dsn"].startswith("postgres://postgres:pw@")
    assert info.rows["Config options"] == ""


def test_log_lines_are_split_into_time_process_and_message() -> None:
    raw = "\x1b[36m2024-01-01T00:00:00.123456789Z app[web.1]:\x1b[0m GET / 200: ok"
    line = parsers.parse_log_line(raw + "\n")
    assert line.timestamp == "2024-01-01T00:00:00.123456789Z"
    assert line.process == "web.1"
    assert line.message == "GET / 200: ok"
    assert line.raw == raw
    plain = parsers.parse_log_line("just a message")
    assert (plain.timestamp, plain.process, plain.message) == ("", "", "just a message")


def test_error_lines_become_one_message() -> None:
    stderr = " !     App myapp does not exist\n"
    assert parsers.error_message(stderr) == "App myapp does not exist"
    both = (
        " !     myapp currently has a deploy lock in place. Exiting...\n"
        " !     Run 'apps:unlock' to release the existing deploy lock\n"
    )
    assert parsers.error_message(both) == (
        "myapp currently has a deploy lock in place. Exiting... "
        "Run 'apps:unlock' to release the existing deploy lock"
    )
    assert parsers.is_deploy_lock_message(both)
    assert parsers.error_message("", "", 3) == "exited with status 3 and printed nothing"
    assert parsers.error_message("xargs: unmatched single quote\n") == (
        "xargs: unmatched single quote"
    )


def test_push_lines_lose_the_remote_prefix_padding_and_escapes() -> None:
    splitter = PushLineSplitter()
    lines = splitter.feed(
        "remote: -----> Building myapp from herokuish        \n"
        "remote:        Healthcheck succeeded name='default'\x1b[K\n"
        "remote: \x1b[1G\x1b[K-----> Set main as deploy-branch\n"
        "remote: =====> Application deployed:\r"
        "Counting objects: 100% (3/3)\rTo ownstack:myapp\n"
        "remote: partial"
    )
    assert lines == [
        PushLine("-----> Building myapp from herokuish", remote=True),
        PushLine("       Healthcheck succeeded name='default'", remote=True),
        PushLine("-----> Set main as deploy-branch", remote=True),
        PushLine("=====> Application deployed:", remote=True),
        PushLine("Counting objects: 100% (3/3)", remote=False),
        PushLine("To ownstack:myapp", remote=False),
    ]
    assert splitter.feed(" line\n") == [PushLine("partial line", remote=True)]
    assert splitter.flush() == []


FAILED_BUILD = """\
remote:  !     Failure attaching to container during app build
remote:  !     Removing invalid image tag dokku/myapp:latest
remote:  !     App build failed
To HOST:myapp
 ! [remote rejected] main -> main (pre-receive hook declined)
error: failed to push some refs to 'HOST:myapp'
"""


def test_failed_build_reason_is_the_first_cause_line() -> None:
    lines = PushLineSplitter().feed(FAILED_BUILD)
    assert parsers.push_failure_reason(lines, 1) == (
        "Failure attaching to container during app build"
    )


def test_failure_reason_falls_back_to_git_lines() -> None:
    lines = PushLineSplitter().feed(
        "To HOST:myapp\n ! [remote rejected] main -> main (pre-receive hook declined)\n"
    )
    assert parsers.push_failure_reason(lines, 1) == (
        "! [remote rejected] main -> main (pre-receive hook declined)"
    )
    lines = PushLineSplitter().feed("fatal: the remote end hung up unexpectedly\n")
    assert parsers.push_failure_reason(lines, 128) == "fatal: the remote end hung up unexpectedly"
    assert parsers.push_failure_reason([], 128) == "git push exited with status 128"


def test_process_states_come_per_type_from_ps_report() -> None:
    report = {
        "deployed": "true",
        "status-web.1": "running (CID: 9a8abdac9ba)",
        "status-web.2": "exited (CID: 1b2c3d4e5f6)",
        "status-worker.1": "restarting (CID: 0a0a0a0a0a0)",
    }
    assert parsers.process_states(report) == {"web": ["running", "exited"], "worker": ["restarting"]}


def test_urls_are_one_a_line() -> None:
    assert parsers.parse_urls("http://shop.example.com\nhttps://shop.example.com\n") == [
        "http://shop.example.com", "https://shop.example.com",
    ]
