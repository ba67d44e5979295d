"""The practice center's bundled files (resources/practice/): provisioning, contracts and scenarios.

A scenario is a file: the customer's lines as audio with their text, the contract the call is about, the support
script and the script path an agent is expected to take, the expected wrap-up, and whether the call should be
escalated. Files that do not fit give a :class:`PracticeDataError` with a clear message naming the file.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from agentdesk import paths
from agentdesk.center import wire
from agentdesk.center.api import ContractInfo, Provisioning
from agentdesk.i18n import Text

SAMPLE_RATE = 16000


class PracticeDataError(ValueError):
    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


def _bad(path: Path, what: str) -> PracticeDataError:
    return PracticeDataError(
        Text(
            ja="練習用のファイル {file} を読めません（{what}）。AgentDesk を入れ直してください。",
            en="The practice file {file} cannot be read ({what}). Please reinstall AgentDesk.",
        ).format(file=path.name, what=what)
    )


def practice_dir() -> Path:
    return paths.resources_dir() / "practice"


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise _bad(path, type(exc).__name__) from None


def _text(value: Any, path: Path, what: str) -> Text:
    if isinstance(value, dict) and isinstance(value.get("ja"), str) and isinstance(value.get("en"), str):
        return Text(ja=value["ja"], en=value["en"])
    raise _bad(path, f"{what} needs ja and en")


@dataclass(frozen=True)
class CustomerLine:
    text: str
    audio: Path
    pause_after: float


@dataclass(frozen=True)
class Scenario:
    id: str
    title: Text
    summary: Text
    level: int
    contract_id: str
    script: str
    expected_script_path: list[str]
    expected_wrap_up: str
    escalate: bool
    lines: list[CustomerLine]


def load_scenario(path: Path, root: Path | None = None) -> Scenario:
    root = root or path.parent.parent
    data = _yaml(path)
    if not isinstance(data, dict):
        raise _bad(path, "not a mapping")
    try:
        lines = []
        for raw in data["customer_lines"]:
            audio = root / "audio" / str(raw["audio"])
            if not audio.is_file():
                raise _bad(path, f"missing audio {raw['audio']}")
            lines.append(CustomerLine(str(raw["text"]), audio, float(raw.get("pause_after", 5))))
        if not lines:
            raise _bad(path, "no customer lines")
        expected = data["expected_script_path"]
        if not isinstance(expected, list) or not all(isinstance(x, str) for x in expected):
            raise _bad(path, "expected_script_path must be a list of node ids")
        return Scenario(
            id=str(data["id"]),
            title=_text(data.get("title"), path, "title"),
            summary=_text(data.get("summary"), path, "summary"),
            level=int(data.get("level", 1)),
            contract_id=str(data["contract_id"]),
            script=str(data.get("script", "")),
            expected_script_path=expected,
            expected_wrap_up=str(data["expected_wrap_up"]),
            escalate=bool(data.get("escalate", False)),
            lines=lines,
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, PracticeDataError):
            raise
        raise _bad(path, f"{type(exc).__name__}: {exc}") from None


def load_scenarios(root: Path | None = None) -> list[Scenario]:
    root = root or practice_dir()
    scenarios = [load_scenario(p, root) for p in sorted((root / "scenarios").glob("*.yaml"))]
    return sorted(scenarios, key=lambda s: (s.level, s.id))


def load_contracts(root: Path | None = None) -> dict[str, ContractInfo]:
    root = root or practice_dir()
    path = root / "contracts.yaml"
    data = _yaml(path)
    if not isinstance(data, list):
        raise _bad(path, "not a list")
    contracts = {}
    for item in data:
        try:
            contract = wire.contract_from_wire(item)
        except Exception:
            raise _bad(path, "a contract does not fit") from None
        contracts[contract.contract_id] = contract
    return contracts


def load_provisioning(root: Path | None = None) -> Provisioning:
    """The practice center's provisioning; SIP and escalation URIs are filled in when its phones start."""
    root = root or practice_dir()
    path = root / "center.yaml"
    data = _yaml(path)
    if not isinstance(data, dict):
        raise _bad(path, "not a mapping")
    data = dict(data)
    data["sip"] = None
    data["escalation_targets"] = [dict(t, uri=t.get("uri", "sip:tier2@127.0.0.1")) for t in data.get("escalation_targets", [])]
    try:
        provisioning = wire.provisioning_from_wire(data)
    except Exception:
        raise _bad(path, "provisioning does not fit the contract") from None
    return provisioning


def escalation_target_line(root: Path | None = None) -> CustomerLine:
    root = root or practice_dir()
    path = root / "escalation_target.yaml"
    data = _yaml(path)
    audio = root / "audio" / str(data["audio"])
    if not audio.is_file():
        raise _bad(path, f"missing audio {data['audio']}")
    return CustomerLine(str(data["text"]), audio, 0.0)


def read_pcm(path: Path) -> bytes:
    with wave.open(str(path), "rb") as w:
        if w.getframerate() != SAMPLE_RATE or w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise _bad(path, "expected 16 kHz mono 16-bit WAV")
        return w.readframes(w.getnframes())


def build_call_audio(scenario: Scenario, out: Path, lead_in: float = 2.0, tail: float = 120.0) -> list[float]:
    """One WAV for the customer's engine: lead-in silence (the agent greets), each line, its pause, a long
    silence at the end (the player loops; the customer must not start over). Returns each line's start (s)."""
    silence = b"\0\0"
    chunks: list[bytes] = [silence * int(lead_in * SAMPLE_RATE)]
    starts: list[float] = []
    at = lead_in
    for line in scenario.lines:
        pcm = read_pcm(line.audio)
        starts.append(at)
        chunks.append(pcm)
        chunks.append(silence * int(line.pause_after * SAMPLE_RATE))
        at += len(pcm) / 2 / SAMPLE_RATE + line.pause_after
    chunks.append(silence * int(tail * SAMPLE_RATE))
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(b"".join(chunks))
    return starts

