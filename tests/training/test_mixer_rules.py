"""The mixing rules (pure): who is connected to whom per mode, authorisation by address, configuration."""

from __future__ import annotations

import pytest

from agentdesk.sip.training import EAR, MIC, TONE, TrainingConfig, address_of, connections, parse_mode


def c(n: int) -> tuple[str, int]:
    return ("call", n)


def test_monitor_trainer_hears_customer_and_trainee_nobody_hears_trainer() -> None:
    got = connections([1], {2: "monitor"}, mic=True, ear=True)
    assert got == {(c(1), c(2)), (MIC, c(2))}


def test_whisper_only_the_trainee_hears_the_trainer() -> None:
    got = connections([1], {2: "whisper"}, mic=True, ear=True)
    assert got == {(c(1), c(2)), (MIC, c(2)), (c(2), EAR)}
    assert (c(2), c(1)) not in got


def test_barge_is_three_way() -> None:
    got = connections([1], {2: "barge"}, mic=True, ear=True, tone=True)
    assert got == {(c(1), c(2)), (MIC, c(2)), (c(2), EAR), (c(2), c(1)), (TONE, EAR)}


def test_two_trainers_hear_a_barging_one_but_not_a_whispering_one() -> None:
    got = connections([1], {2: "barge", 3: "whisper"}, mic=True, ear=True)
    assert (c(2), c(3)) in got and (c(3), c(2)) not in got


def test_no_customer_call_trainer_still_hears_the_trainee_and_no_ports_means_customer_only() -> None:
    assert connections([], {2: "monitor"}, mic=True, ear=True) == {(MIC, c(2))}
    assert connections([1], {2: "whisper"}, mic=False, ear=False) == {(c(1), c(2))}
    assert connections([1], {}, mic=True, ear=True, tone=True) == set()


@pytest.mark.parametrize("uri", ['"Trainer" <sip:Trainer1@AgentDesk.test;transport=udp>;tag=abc',
                                 "sip:trainer1@agentdesk.test:5060", "trainer1@agentdesk.test"])
def test_address_comparison_ignores_display_name_params_port_and_case(uri: str) -> None:
    assert address_of(uri) == "trainer1@agentdesk.test"


def test_config_and_mode_errors_are_sentences() -> None:
    assert TrainingConfig.parse({"trainers": "sip:t@x"}).trainers == ["sip:t@x"]
    with pytest.raises(ValueError, match="list of SIP addresses"):
        TrainingConfig.parse({"trainers": [1]})
    with pytest.raises(ValueError, match="1 or 2"):
        TrainingConfig.parse({"trainers": [], "max_trainers": 3})
    with pytest.raises(ValueError, match="monitor, whisper or barge"):
        parse_mode("shout")
    assert parse_mode(" Barge ") == "barge"
