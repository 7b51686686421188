"""The fleet's side of selectors: tags read from the fleet file, and the one resolution every
command and wave goes through (Fleet.select, select_one, expand_waves)."""

from __future__ import annotations

import pytest

from ownstack_tui.errors import InvalidInput
from ownstack_tui.model.fleet import Fleet, fleet_from_dict
from ownstack_tui.model.rollout import check_waves


def fleet() -> Fleet:
    return fleet_from_dict({
        "stacks": {
            "staging": {"host": "h1", "tags": ["canary", "eu"]},
            "prod-east": {"host": "h2", "tags": ["prod"]},
            "prod-west": {"host": "h3", "tags": ["prod", "canary"]},
            "tools": {"host": "h4"},
        },
        # The app lists its targets in an order of its own.
        "apps": {"shop": {"stacks": ["prod-west", "staging", "prod-east"]}},
    })


def test_tags_are_read_from_the_fleet_file_in_their_order() -> None:
    stacks = fleet().stacks
    assert stacks["prod-west"].tags == ("prod", "canary")
    assert stacks["tools"].tags == ()


def test_select_without_an_app_chooses_among_the_fleets_stacks_in_file_order() -> None:
    assert [s.name for s in fleet().select(["tag:canary"])] == ["staging", "prod-west"]
    assert [s.name for s in fleet().select(["!tag:prod"])] == ["staging", "tools"]


def test_select_for_an_app_keeps_the_apps_order_and_no_values_mean_all_its_stacks() -> None:
    f = fleet()
    shop = f.app("shop")
    assert [s.name for s in f.select(["tag:canary"], shop)] == ["prod-west", "staging"]
    assert [s.name for s in f.select([], shop)] == ["prod-west", "staging", "prod-east"]
    with pytest.raises(InvalidInput, match="--stack tools: stack 'tools' is not a target of app shop"):
        f.select(["tools"], shop)


def test_select_one_refuses_a_selector_of_several_stacks() -> None:
    f = fleet()
    assert f.select_one(["prod-e*"], f.app("shop"), "ps:scale").name == "prod-east"
    with pytest.raises(InvalidInput) as caught:
        f.select_one(["tag:prod"], f.app("shop"), "ps:scale")
    assert str(caught.value) == (
        "--stack tag:prod: matches 2 stacks (prod-west, prod-east); ps:scale acts on one stack: name it"
    )


def test_waves_expand_to_names_and_then_the_rollout_rules_apply() -> None:
    f = fleet()
    shop = f.app("shop")
    waves = f.expand_waves(shop, (("tag:canary",), ("tag:prod", "!tag:canary")))
    assert waves == (("prod-west", "staging"), ("prod-east",))
    assert check_waves(waves, "shop", shop.stacks, list(f.stacks)) == waves
    overlapping = f.expand_waves(shop, (("tag:canary",), ("tag:prod",)))
    with pytest.raises(InvalidInput, match="more than once: prod-west"):
        check_waves(overlapping, "shop", shop.stacks, list(f.stacks))


def test_a_wave_error_names_where_the_wave_came_from() -> None:
    f = fleet()
    with pytest.raises(InvalidInput, match=r"^--wave tag:us: no stack has tag 'us'"):
        f.expand_waves(f.app("shop"), (("tag:us",),))
    with pytest.raises(InvalidInput, match=r"^\[apps.shop.rollout\] wave 2 \(tools\): stack 'tools' is not"):
        f.expand_waves(f.app("shop"), (("staging",), ("tools",)), "[apps.shop.rollout]")


def test_an_untagged_fleet_says_how_to_tag() -> None:
    untagged = fleet_from_dict({"stacks": {"s1": {"host": "h"}}})
    with pytest.raises(InvalidInput) as caught:
        untagged.select(["tag:prod"])
    assert str(caught.value).endswith("tags in use: none (add one with: ownstack-tui stack:tag NAME TAG)")
