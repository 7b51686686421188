"""Config layering: app-level vars everywhere, stack overrides win, plans touch only the difference."""

from __future__ import annotations

from ownstack_tui.model.config import (
    Layer,
    drift,
    effective_config,
    layer_of,
    looks_secret,
    plan_stack_config,
)
from ownstack_tui.model.fleet import App

APP = App(
    name="shop",
    stacks=("staging", "prod-east"),
    config={"LOG_LEVEL": "info", "REGION": "none"},
    stack_config={"prod-east": {"REGION": "us-east-1"}},
)


def test_effective_config_is_app_level_overridden_by_the_stack() -> None:
    assert effective_config(APP, "staging") == {"LOG_LEVEL": "info", "REGION": "none"}
    assert effective_config(APP, "prod-east") == {"LOG_LEVEL": "info", "REGION": "us-east-1"}


def test_layer_of_says_where_a_value_comes_from() -> None:
    assert layer_of(APP, "prod-east", "REGION") is Layer.STACK
    assert layer_of(APP, "staging", "REGION") is Layer.APP
    assert layer_of(APP, "staging", "OTHER") is None


def test_plan_lists_only_the_difference() -> None:
    plan = plan_stack_config(
        "prod-east",
        desired={"A": "1", "B": "2", "C": "3"},
        actual={"A": "1", "B": "old", "DOKKU_APP_TYPE": "herokuish", "DATABASE_URL": "postgres://x"},
    )
    assert plan.to_add == {"C": "3"}
    assert plan.to_change == {"B": ("old", "2")}
    assert plan.to_unset == {}
    assert plan.to_set == {"B": "2", "C": "3"}
    assert plan.unmanaged == {"DOKKU_APP_TYPE": "herokuish", "DATABASE_URL": "postgres://x"}


def test_plan_unsets_only_keys_the_user_removed_and_never_dokkus_own() -> None:
    plan = plan_stack_config(
        "s",
        desired={},
        actual={"GONE": "x", "HAND_SET": "y", "DOKKU_X": "z"},
        removed=["GONE", "DOKKU_X", "NOT_THERE"],
    )
    assert plan.to_unset == {"GONE": "x"}
    assert plan.unmanaged == {"HAND_SET": "y", "DOKKU_X": "z"}


def test_an_unchanged_stack_has_an_empty_plan() -> None:
    assert plan_stack_config("s", {"A": "1"}, {"A": "1", "X": "2"}).is_empty


def test_drift_is_every_managed_key_whose_value_differs() -> None:
    assert drift({"A": "1", "B": "2"}, {"A": "1", "B": "hand", "X": "y"}) == {"B": ("hand", "2")}
    assert drift({"A": "1"}, {}) == {"A": (None, "1")}


def test_secrets_are_recognised_by_key_or_credentials_in_urls() -> None:
    assert looks_secret("STRIPE_SECRET_KEY", "sk_live")
    assert looks_secret("API_TOKEN", "x")
    assert looks_secret("UPSTREAM", "https://user:pw@host/db")
    assert not looks_secret("LOG_LEVEL", "info")
    assert not looks_secret("HOMEPAGE", "https://example.org/x@y")
