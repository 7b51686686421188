"""Health parsers on dokku's real formats (certs/domains/ps report.go, dokku-letsencrypt's
cmd-letsencrypt-list and fn-letsencrypt-format-timediff)."""

from __future__ import annotations

import calendar

import pytest

from ownstack_tui.backends.dokku import health_parsers, parsers
from ownstack_tui.backends.dokku.parsers import ParseError

# certs:report APP --format json (TrimPrefix, no legacy keys), as report.go builds it.
SSL_JSON = (
    '{"dir":"/home/dokku/shop/tls","enabled":"true","expires-at":"Dec  8 12:00:00 2026 GMT",'
    '"hostnames":"shop.example.org www.shop.example.org","issuer":"C = US, O = Let\'s Encrypt, CN = R11",'
    '"starts-at":"Sep  9 12:00:00 2026 GMT","subject":"CN=shop.example.org",'
    '"verified":"verified by a certificate authority"}\n'
)
SSL_DISABLED_JSON = (
    '{"dir":"/home/dokku/shop/tls","enabled":"false","expires-at":"","hostnames":"",'
    '"issuer":"","starts-at":"","subject":"","verified":""}\n'
)
LETSENCRYPT_LIST = (
    "-----> App name           Certificate Expiry        Time before expiry        "
    "Time before renewal      \n"
    "shop                      2026-12-08 13:00:00       6d, 3h, 2m, 1s            "
    "23d, 20h, 57m, 59s ago   \n"
    "a-very-long-application-name 2027-02-01 00:00:00    61d, 1s                   "
    "31d, 1s                  \n"
)


def test_ssl_report_gives_expiry_in_unix_seconds_and_the_names_covered() -> None:
    [report] = parsers.parse_report_json(SSL_JSON)
    ssl = health_parsers.parse_ssl_report(report)
    assert ssl.enabled
    assert ssl.expires_at == calendar.timegm((2026, 12, 8, 12, 0, 0, 0, 0, 0))
    assert ssl.hostnames == ("shop.example.org", "www.shop.example.org")


def test_ssl_report_without_a_certificate_has_no_expiry() -> None:
    [report] = parsers.parse_report_json(SSL_DISABLED_JSON)
    ssl = health_parsers.parse_ssl_report(report)
    assert (ssl.enabled, ssl.expires_at, ssl.hostnames) == (False, None, ())


def test_openssl_dates_with_two_digit_days_and_bad_dates() -> None:
    assert health_parsers.parse_openssl_time("Jan 21 00:00:01 2027 GMT") == calendar.timegm(
        (2027, 1, 21, 0, 0, 1, 0, 0, 0)
    )
    with pytest.raises(ParseError, match="unreadable certificate date"):
        health_parsers.parse_openssl_time("2027-01-21")


def test_domains_report_lists_app_vhosts_unless_domains_are_disabled() -> None:
    report = {"app-enabled": "true", "app-vhosts": "shop.example.org www.shop.example.org"}
    assert health_parsers.parse_domains_report(report) == ("shop.example.org", "www.shop.example.org")
    assert health_parsers.parse_domains_report({**report, "app-enabled": "false"}) == ()


def test_ps_report_status_rows_count_containers_per_type_and_state() -> None:
    report = {
        "deployed": "true",
        "running": "mixed",
        "status-web.1": "running (CID: 0123456789a)",
        "status-web.2": "running (CID: 0123456789b)",
        "status-worker.1": "exited (CID: 0123456789c)",
        "status-clock.1": "missing (CID: 0123456789d)",
    }
    states = health_parsers.parse_process_states(report)
    assert states == {"web": {"running": 2}, "worker": {"exited": 1}, "clock": {"missing": 1}}


def test_letsencrypt_timediffs_read_back_to_seconds() -> None:
    assert health_parsers.parse_timediff("6d, 3h, 2m, 1s") == 6 * 86400 + 3 * 3600 + 121
    assert health_parsers.parse_timediff("2d, 5s ago") == -(2 * 86400 + 5)
    assert health_parsers.parse_timediff("") == 0
    with pytest.raises(ParseError):
        health_parsers.parse_timediff("soon")


def test_letsencrypt_list_rows_even_when_a_long_name_shifts_the_columns() -> None:
    entries = health_parsers.parse_letsencrypt_list(LETSENCRYPT_LIST)
    assert entries["shop"].seconds_left == 6 * 86400 + 3 * 3600 + 2 * 60 + 1
    assert entries["a-very-long-application-name"].seconds_left == 61 * 86400 + 1
    assert health_parsers.parse_letsencrypt_list(LETSENCRYPT_LIST.splitlines()[0] + "\n") == {}


def test_an_absent_plugin_is_recognised_from_dokkus_answer() -> None:
    stderr = (
        " !     `letsencrypt:list` is not a dokku command.\n"
        " !     See `dokku help` for a list of available commands.\n"
    )
    assert health_parsers.is_unknown_command(stderr)
    assert not health_parsers.is_unknown_command(" !     App shop does not exist\n")


def test_git_report_last_push_time() -> None:
    assert health_parsers.parse_last_updated({"last-updated-at": "1700000000"}) == 1700000000.0
    assert health_parsers.parse_last_updated({"last-updated-at": ""}) is None
