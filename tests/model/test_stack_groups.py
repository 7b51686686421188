"""What the console's sidebar lists: filter, groups by tag with counts, failed/running first."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ownstack_tui.errors import InvalidInput
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.selectors import parse_selector
from ownstack_tui.model.stack_groups import (
    Group,
    StackListing,
    arrange,
    parse_group_by,
    suggest_group_by,
)

OK, FAILED, BUILDING = DeployStatus.SUCCEEDED, DeployStatus.FAILED, DeployStatus.BUILDING


@dataclass(frozen=True)
class S:
    name: str
    tags: tuple[str, ...] = ()
    status: DeployStatus | None = None


FLEET = [
    S("prod-us", ("prod", "us"), OK),
    S("prod-eu", ("prod", "eu"), FAILED),
    S("prod-ap", ("prod", "ap"), BUILDING),
    S("staging", ("staging", "eu", "prod"), FAILED),  # prod too: the first group named wins
    S("dev", (), None),
]


def rows(listing: StackListing) -> list[str]:
    return [f"[{row.name} {row.counts.text}]" if isinstance(row, Group) else row.name
            for row in arrange(FLEET, listing).rows]


def test_no_listing_keeps_the_fleets_order() -> None:
    assert rows(StackListing()) == ["prod-us", "prod-eu", "prod-ap", "staging", "dev"]


def test_the_filter_keeps_matching_stacks_and_counts_them() -> None:
    listing = StackListing(filter=parse_selector("tag:eu,!staging"))
    assert rows(listing) == ["prod-eu"]
    arranged = arrange(FLEET, listing)
    assert (arranged.shown, arranged.total) == (1, 5)


def test_groups_in_the_order_named_with_the_rest_under_other_and_counts() -> None:
    assert rows(StackListing(group_by=("staging", "prod"))) == [
        "[staging 1: ✗1]", "staging",
        "[prod 3: ✓1 ✗1 ⟳1]", "prod-us", "prod-eu", "prod-ap",
        "[other 1]", "dev",
    ]


def test_a_collapsed_group_shows_its_header_only_and_empty_groups_none() -> None:
    listing = StackListing(group_by=("eu", "nope")).toggled("other")
    assert rows(listing) == ["[eu 2: ✗2]", "prod-eu", "staging", "[other 3: ✓1 ⟳1]"]
    assert rows(listing.toggled("other"))[-1] == "dev"


def test_problems_first_puts_failed_then_running_first_within_groups() -> None:
    assert rows(StackListing(problems_first=True)) == ["prod-eu", "staging", "prod-ap", "prod-us", "dev"]
    assert rows(StackListing(group_by=("prod",), problems_first=True))[:5] == [
        "[prod 4: ✓1 ✗2 ⟳1]", "prod-eu", "staging", "prod-ap", "prod-us",
    ]


def test_regrouping_keeps_collapsed_groups_that_stay() -> None:
    listing = StackListing(group_by=("prod", "eu")).toggled("eu").toggled("prod")
    assert listing.with_group_by(("eu",)).collapsed == frozenset({"eu"})
    assert listing.with_group_by(()).collapsed == frozenset()


def test_the_prompts_text_is_read_as_tags() -> None:
    assert parse_group_by("prod, staging") == ("prod", "staging")
    assert parse_group_by("us eu ap") == ("us", "eu", "ap")
    assert parse_group_by("  ") == ()
    with pytest.raises(InvalidInput, match="invalid tag 'Prod'"):
        parse_group_by("Prod")
    with pytest.raises(InvalidInput, match="names us twice"):
        parse_group_by("us,us")


def test_the_suggestion_is_the_most_used_tags_that_split_the_fleet() -> None:
    assert suggest_group_by([s.tags for s in FLEET]) == ("prod", "eu", "ap", "staging")
    assert suggest_group_by([("all",), ("all",)]) == ()
