"""Failed deploys are grouped by their cause: the error line with what differs per stack
(its name, hosts, ports, SHAs, numbers) masked. Transient causes (the network, a busy lock)
are marked, so that only they can be re-deployed."""

from __future__ import annotations

import pytest

from ownstack_tui.model.failure_groups import (
    NO_REASON,
    cause_of,
    group_failures,
    is_transient,
    stack_list,
    transient_stacks,
)

HOOK = "remote: ! [remote rejected] main -> main (pre-receive hook declined)"


@pytest.mark.parametrize(
    ("reason", "stack", "cause"),
    [
        (HOOK, "prod-1", HOOK),
        ("connection refused by dokku@10.0.3.17:2201", "web-1", "connection refused by HOST"),
        ("cannot reach 192.168.1.4:22: no route", "web-1", "cannot reach HOST: no route"),
        ("cannot reach [2001:db8::1]:22: no route", "web-1", "cannot reach HOST: no route"),
        ("no SSH answer from prod-7.eu.example.com:22 within 10 s", "web-1",
         "no SSH answer from HOST within N s"),
        ("deployed 3f9c2a1 but 4 of 6 web processes exited", "web-1",
         "deployed SHA but N of N web processes exited"),
        ("stack prod-us-07: build failed", "prod-us-07", "build failed"),  # the group lists it
        ("app on stack prod-us-07: gone", "prod-us-07", "app on stack STACK: gone"),
        # The stack's name only as a whole word: "prod-us-1" is not in "prod-us-17".
        ("prod-us-17 answered for prod-us-1", "prod-us-1", "prod-us-N answered for STACK"),
        ("app.json: invalid  formation\n  second line", "web-1", "app.json: invalid formation"),
        ("  \n\nfirst real line", "web-1", "first real line"),
        ("the control plane failed: HTTP 500 on POST /api/apps/12/deploy", "web-1",
         "the control plane failed: HTTP 500 on POST /api/apps/N/deploy"),
        (None, "web-1", NO_REASON),
        ("", "web-1", NO_REASON),
    ],
)
def test_a_cause_masks_what_differs_from_stack_to_stack(reason, stack, cause):
    assert cause_of(reason, stack) == cause


@pytest.mark.parametrize(
    "reason",
    [
        "connection lost while running git-receive-pack: reset by peer",
        "connection lost during the push of shop; the build's outcome on the stack is unknown",
        "apps:report timed out: no answer within 20 s after login (timeouts.command in the fleet file)",
        "the build timed out: it printed nothing for 300 s (timeouts.build_silence in the fleet file)",
        "connection refused by 127.0.0.1:2201",
        "127.0.0.1:2201 closed the SSH connection: too many connections",
        "no SSH answer from 10.0.0.1:22 within 10 s: timed out",
        "shop has a deploy lock in place; if no deploy is running, clear it with: ssh x apps:unlock shop",
        "the control plane answered 503 Service Unavailable after 3 tries",
    ],
)
def test_network_and_lock_failures_are_transient(reason):
    assert is_transient(reason)


@pytest.mark.parametrize(
    "reason",
    [
        HOOK,
        "deployed abc1234, but unhealthy: web 0/2 running",
        "refused our SSH keys (check the stack's identity, or ssh-add a key)",
        "host key of 10.0.0.1:22 changed: refusing to connect",
        "app shop does not exist there yet",
        None,
    ],
)
def test_build_auth_and_key_failures_are_not_transient(reason):
    assert not is_transient(reason)


def test_equal_causes_make_one_group_the_largest_first():
    failures = [
        ("eu-1", "connection lost while running git-receive-pack"),
        ("us-1", HOOK),
        ("us-2", HOOK),
        ("eu-2", "connection refused by 10.0.0.2:22"),
        ("us-3", HOOK),
        ("eu-3", "connection refused by 10.0.0.3:22"),
    ]
    groups = group_failures(failures)
    assert [(g.headline(), g.stacks, g.transient) for g in groups] == [
        (f"3 stacks: {HOOK}", ("us-1", "us-2", "us-3"), False),
        ("2 stacks: connection refused by HOST", ("eu-2", "eu-3"), True),
        ("1 stack: connection lost while running git-receive-pack", ("eu-1",), True),
    ]
    # The example is one stack's own line, unmasked.
    assert groups[1].example == "connection refused by 10.0.0.2:22"
    assert transient_stacks(groups) == ["eu-2", "eu-3", "eu-1"]


def test_a_cause_naming_each_stack_is_still_one_cause():
    failures = [(f"prod-{i}", f"stack prod-{i}: pre-receive hook declined") for i in range(1, 13)]
    [group] = group_failures(failures)
    assert group.count == 12
    assert group.headline() == "12 stacks: pre-receive hook declined"


def test_no_failures_no_groups():
    assert group_failures([]) == []


def test_a_long_stack_list_is_cut_with_a_count():
    assert stack_list(["a", "b", "c"]) == "a, b, c"
    assert stack_list([f"s{i}" for i in range(12)], limit=3) == "s0, s1, s2, … +9"
