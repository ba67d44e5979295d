"""The escalation context's header values (agentdesk/agent/escalation.py): plain when safe, percent-encoded
otherwise, cut to the header budget without ever splitting an escape. Written against the survivors of mutation
testing (docs/testing.md, "Mutation testing")."""

from __future__ import annotations

import pytest

from agentdesk.agent.escalation import MAX_ENCODED, MAX_PLAIN, PREFIX, decode_value, encode_value


def test_plain_up_to_the_limit_then_encoded() -> None:
    assert encode_value("a" * MAX_PLAIN) == "a" * MAX_PLAIN
    longer = encode_value("a" * (MAX_PLAIN + 1))
    assert longer == PREFIX + "a" * (MAX_PLAIN + 1) and decode_value(longer) == "a" * (MAX_PLAIN + 1)


@pytest.mark.parametrize("value", ["a;b", "a=b", "50%", "<sip:x>", 'say "hi"', "pct:already"])
def test_unsafe_or_prefixed_values_are_encoded_and_come_back(value: str) -> None:
    enc = encode_value(value)
    assert enc.startswith(PREFIX) and decode_value(enc) == value


def test_every_reserved_character_is_escaped_even_the_slash() -> None:
    assert encode_value("接続/ONU;") == PREFIX + "%E6%8E%A5%E7%B6%9A%2FONU%3B"


def test_a_value_of_exactly_the_budget_is_kept_whole() -> None:
    value = "aa" + ";" * 198  # "pct:" + "aa" + 198 x "%3B" = 600 characters
    enc = encode_value(value)
    assert len(enc) == MAX_ENCODED and decode_value(enc) == value


def test_the_cut_keeps_whole_escapes_and_plain_tails() -> None:
    enc = encode_value("%" * 300)  # each "%25": cut at an escape boundary
    assert len(enc) <= MAX_ENCODED and (len(enc) - len(PREFIX)) % 3 == 0 and set(decode_value(enc)) == {"%"}
    plain_tail = encode_value(";" + "a" * 700)  # no escape near the cut: exactly the budget
    assert len(plain_tail) == MAX_ENCODED and decode_value(plain_tail) == ";" + "a" * (MAX_ENCODED - 7)


def test_broken_escapes_decode_with_a_replacement_character() -> None:
    assert decode_value(PREFIX + "%FFok") == "\ufffdok"
    assert decode_value("no-prefix%41") == "no-prefix%41"
