"""The input rules: what is accepted, and that every refusal names the value and the fix."""

from __future__ import annotations

import pytest

from ownstack_tui.errors import InvalidInput
from ownstack_tui.model import validation


@pytest.mark.parametrize("name", ["shop", "shop-2", "a.b", "0app"])
def test_app_names_dokku_accepts_are_accepted(name: str) -> None:
    assert validation.app_name(name) == name


@pytest.mark.parametrize("name", ["Shop", "-shop", "shop_2", "", "shop app", "shop;rm"])
def test_app_names_dokku_refuses_are_refused_with_the_name(name: str) -> None:
    with pytest.raises(InvalidInput, match="invalid app name"):
        validation.app_name(name)


def test_legacy_underscore_names_are_accepted_for_existing_apps() -> None:
    assert validation.existing_app_name("old_app") == "old_app"


@pytest.mark.parametrize("key", ["A", "_x", "LOG_LEVEL", "aKey9"])
def test_config_keys_follow_dokku(key: str) -> None:
    assert validation.config_key(key) == key


@pytest.mark.parametrize("key", ["9A", "BAD-KEY", "", "A B", "Ä"])
def test_bad_config_keys_are_refused(key: str) -> None:
    with pytest.raises(InvalidInput, match="invalid config key"):
        validation.config_key(key)


def test_port_is_reserved_and_dokku_keys_are_read_only() -> None:
    with pytest.raises(InvalidInput, match="PORT is reserved"):
        validation.writable_config_key("PORT")
    with pytest.raises(InvalidInput, match="read-only"):
        validation.writable_config_key("DOKKU_APP_TYPE")


@pytest.mark.parametrize(
    "value",
    ["a b", "it's \"q\" $HOME `x` =", "line1\nline2", "ünï©ødé", "", "42", "-3", "99999999999999999999"],
)
def test_values_dokku_can_hold_are_accepted(value: str) -> None:
    assert validation.config_value("K", value) == value


@pytest.mark.parametrize(
    ("value", "reason"),
    [("a\\", "backslash"), ('say "hi"', "double quote"), ("007", "store as 7"), ("+5", "store as 5")],
)
def test_value_endings_dokkus_env_reader_breaks_are_refused(value: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        validation.config_value("K", value)


@pytest.mark.parametrize("count", [0, "3", "10"])
def test_whole_counts_are_accepted(count: object) -> None:
    assert validation.scale_count("web", count) == int(count)  # type: ignore[call-overload]


@pytest.mark.parametrize("count", ["-1", "x", "1.5", "", True, "١"])
def test_other_counts_are_refused(count: object) -> None:
    with pytest.raises(InvalidInput, match="whole number >= 0"):
        validation.scale_count("web", count)


def test_pairs_split_at_the_first_equals_sign() -> None:
    assert validation.config_pair("URL=a=b") == ("URL", "a=b")
    assert validation.scale_pair("web=2") == ("web", 2)
    with pytest.raises(InvalidInput, match="KEY=VALUE"):
        validation.config_pair("NOVALUE")


@pytest.mark.parametrize("port", [0, 70000, "x", "-1"])
def test_bad_ports_are_refused(port: object) -> None:
    with pytest.raises(InvalidInput, match="invalid port"):
        validation.port(port)


@pytest.mark.parametrize("ref", ["main", "v1.2", "0123abcd", "feature/x", "HEAD~1"])
def test_git_refs(ref: str) -> None:
    assert validation.git_ref(ref) == ref


@pytest.mark.parametrize("ref", ["-f", "a b", "a..b", "--upload-pack=x"])
def test_option_looking_or_odd_refs_are_refused(ref: str) -> None:
    with pytest.raises(InvalidInput):
        validation.git_ref(ref)


@pytest.mark.parametrize(
    ("name", "production"),
    [("prod-east", True), ("production", True), ("eu-prod", True), ("live", True),
     ("staging", False), ("product-demo", False), ("preprod-x", False)],
)
def test_production_looking_names(name: str, production: bool) -> None:
    assert validation.is_production_name(name) is production


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("30s", 30.0), ("2m", 120.0), ("120", 120.0), (120, 120.0), ("1.5m", 90.0), ("1h", 3600.0), (0, 0.0)],
)
def test_durations_are_read_in_seconds_minutes_or_hours(value: object, seconds: float) -> None:
    assert validation.duration(value) == seconds


@pytest.mark.parametrize("value", ["", "soon", "-5", "5d", "2 minutes", True, -1, None])
def test_bad_durations_are_refused_naming_the_value(value: object) -> None:
    with pytest.raises(InvalidInput, match=r"invalid soak .*e\.g\. 30s, 2m"):
        validation.duration(value, "soak")


def test_the_deploy_lock_key_cannot_be_set_as_config() -> None:
    with pytest.raises(InvalidInput, match="OWNSTACK_DEPLOY_LOCK is reserved"):
        validation.writable_config_key("OWNSTACK_DEPLOY_LOCK")
