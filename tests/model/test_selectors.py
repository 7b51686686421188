"""Selectors name stacks: a name, tag:TAG, a glob over names, !TERM to take out, commas to
combine. These tests are the specification of what each form selects and how it fails."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ownstack_tui.errors import InvalidInput
from ownstack_tui.model.selectors import SelectorError, option_label, parse_selector, select


@dataclass(frozen=True)
class S:
    name: str
    tags: tuple[str, ...] = ()


# The fleet, in the order of its file. The app "shop" targets all but "tools".
FLEET = [
    S("staging", ("eu", "canary")),
    S("prod-east", ("prod", "us")),
    S("prod-west", ("prod", "us", "canary")),
    S("prod-eu", ("prod", "eu")),
    S("tools", ("eu",)),
]
SHOP = [stack for stack in FLEET if stack.name != "tools"]


def names(values: str | list[str], scope: list[S] = SHOP, app: str | None = "shop") -> list[str]:
    return [stack.name for stack in select(values, scope, FLEET, app)]


def error_of(values: str | list[str], scope: list[S] = SHOP, app: str | None = "shop") -> str:
    with pytest.raises(SelectorError) as caught:
        select(values, scope, FLEET, app)
    return str(caught.value)


# -- what each form selects ---------------------------------------------------------------------


def test_a_name_selects_that_stack() -> None:
    assert names("prod-east") == ["prod-east"]


def test_a_tag_selects_every_stack_with_it_in_fleet_order() -> None:
    assert names("tag:prod") == ["prod-east", "prod-west", "prod-eu"]


def test_a_glob_matches_names() -> None:
    assert names("prod-*") == ["prod-east", "prod-west", "prod-eu"]
    assert names("prod-e?st") == ["prod-east"]
    assert names("*-e*") == ["prod-east", "prod-eu"]


def test_a_glob_never_matches_tags() -> None:
    """'eu' is a tag of staging, but a glob looks at names only: tag: says when a tag is meant."""
    assert names("*eu*") == ["prod-eu"]


def test_commas_make_a_union_kept_in_fleet_order_without_repeats() -> None:
    assert names("prod-eu,staging,tag:eu") == ["staging", "prod-eu"]


def test_an_exclusion_takes_stacks_out_of_the_union() -> None:
    assert names("tag:prod,!tag:canary") == ["prod-east", "prod-eu"]
    assert names("prod-*,!prod-eu") == ["prod-east", "prod-west"]


def test_exclusions_alone_mean_all_but() -> None:
    assert names("!tag:canary") == ["prod-east", "prod-eu"]
    assert names("!prod-*,!staging", scope=FLEET, app=None) == ["tools"]


def test_several_option_values_are_one_selector() -> None:
    """--stack tag:prod --stack '!prod-west': the exclusion applies to the other value too."""
    assert names(["tag:prod", "!prod-west"]) == ["prod-east", "prod-eu"]


def test_spaces_around_commas_are_allowed() -> None:
    assert names("prod-east, staging") == ["staging", "prod-east"]


def test_the_fleet_is_the_scope_when_no_app_is_given() -> None:
    assert names("tag:eu", scope=FLEET, app=None) == ["staging", "prod-eu", "tools"]


def test_an_app_scope_leaves_out_stacks_that_are_not_its_targets() -> None:
    assert names("tag:eu") == ["staging", "prod-eu"]


def test_matches_answers_for_one_stack_without_resolving() -> None:
    selector = parse_selector("tag:prod,!tag:canary")
    assert [stack.name for stack in FLEET if selector.matches(stack)] == ["prod-east", "prod-eu"]
    assert parse_selector("!tools").matches(S("anything"))


# -- what is refused ----------------------------------------------------------------------------


def test_a_tag_no_stack_has_is_refused_naming_the_tags_in_use() -> None:
    assert error_of("tag:nope") == "tag:nope: no stack has tag 'nope'; tags in use: canary, eu, prod, us"


def test_a_tag_used_only_outside_the_app_matches_no_stack_of_the_app() -> None:
    scope = [stack for stack in SHOP if "eu" not in stack.tags]
    assert error_of("tag:eu", scope) == (
        "tag:eu: matches no stack of app shop; tags in use there: canary, prod, us"
    )


def test_an_unknown_name_is_refused_with_a_suggestion() -> None:
    assert error_of("prod-eats") == (
        "prod-eats: unknown stack 'prod-eats'; did you mean 'prod-east'? "
        "known stacks: prod-east, prod-eu, prod-west, staging, tools"
    )


def test_a_stack_that_is_not_a_target_of_the_app_is_refused() -> None:
    assert error_of("tools") == (
        "tools: stack 'tools' is not a target of app shop; its stacks: prod-east, prod-eu, prod-west, staging"
    )


def test_a_glob_matching_nothing_is_refused() -> None:
    assert error_of("qa-*").startswith("'qa-*': matches no stack of the fleet; its stacks: prod-east")


def test_one_bad_part_of_a_union_is_refused_naming_that_part() -> None:
    """A typo in one part never narrows a deploy silently."""
    assert error_of("tag:prod,tag:ue").startswith("tag:prod,tag:ue: tag:ue: no stack has tag 'ue';")


def test_a_typo_in_an_exclusion_is_refused_too() -> None:
    """'!tag:canry' excluding nothing would deploy to the canaries meant to be kept out."""
    assert error_of("!tag:canry").startswith("'!tag:canry': no stack has tag 'canry';")


def test_exclusions_that_leave_nothing_are_refused() -> None:
    assert error_of("tag:canary,!staging,!prod-west") == (
        "'tag:canary,!staging,!prod-west': leaves no stack of app shop once !staging,!prod-west "
        "is taken out"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is empty; give a stack name, tag:TAG or a pattern such as prod-*"),
        ("a,,b", "part 2 of a,,b is empty; separate the terms with single commas"),
        ("a,", "part 2 of a, is empty"),
        ("!", "'!' must be followed by a stack name, tag:TAG or a pattern"),
        ("!!a", "write a single '!' before the term it takes out"),
        ("tag:", "give the tag after tag:, e.g. tag:prod"),
        ("tags:prod", "unknown kind 'tags:'; use tag:TAG, a stack name or a pattern"),
        ("tag:pr*", "patterns match stack names only; name the tag exactly"),
        ("tag:Prod", "invalid tag 'Prod'"),
        ("Prod-East", "invalid stack name 'Prod-East'"),
        ("prod east", "invalid stack name 'prod east'"),
        ("prod-[ew]*", "invalid pattern 'prod-[ew]*'"),
        ("-x*", "invalid pattern '-x*'"),
    ],
)
def test_bad_syntax_is_refused_before_any_stack_is_looked_at(text: str, problem: str) -> None:
    with pytest.raises(SelectorError) as caught:
        parse_selector(text)
    assert problem in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_selector_error_is_bad_input_labelled_as_the_user_gave_it() -> None:
    label = option_label("--stack", ["tag:nope"])
    with pytest.raises(InvalidInput) as caught:
        select(["tag:nope"], SHOP, FLEET, "shop", label)
    assert caught.value.exit_status == 2
    assert str(caught.value).startswith("--stack tag:nope: no stack has tag 'nope'; tags in use:")
    assert option_label("--wave", ["tag:prod,!tag:canary"]) == "--wave 'tag:prod,!tag:canary'"


def test_a_long_list_of_names_is_cut_short_in_an_error() -> None:
    big = [S(f"s{number:03}") for number in range(200)]
    with pytest.raises(SelectorError) as caught:
        select("nope-*", big, big)
    assert str(caught.value).endswith("s011 and 188 more")
