"""Headset: a USB headset is present and selected, its speaker and microphone work (loopback), and whether its
call buttons (HID Telephony: answer/hang up, mute...) were found for the device the calls use.

The check plays a tone of a frequency chosen for this run on the headset's output while recording its
microphone, then looks for that frequency in the recording. Many headsets block the earpiece from the
microphone on purpose, so a tone that is not heard back is a warning with a question to the agent ("did you
hear the tone?"), not a failure; a microphone that delivers digital silence (muted, or blocked by the OS privacy
settings) fails.
"""

from __future__ import annotations

import os
import random
import threading
import time
from typing import Any

import numpy as np

from agentdesk.checks import audio
from agentdesk.checks.base import Check, CheckContext, CheckResult, by_platform
from agentdesk.i18n import Text
from agentdesk.sip.headset import pairing
from agentdesk.sip.headset.service import discover, load_backend

TONE_SECONDS = 1.2
TONE_AMPLITUDE = 0.3
FREQ_TOLERANCE_HZ = 15.0
TONE_ABOVE_NOISE_DB = 10.0  # the tone's band must stand this far above the rest of the spectrum
SILENT_MIC_DBFS = -95.0

SELECT = Text(ja="AgentDesk の設定（音声）で、通話用デバイスとしてヘッドセットを選んでください。",
              en="Select the headset as the call device in AgentDesk's audio settings.")
UDEV = Text(ja="Linux では、ヘッドセットのボタンを使うために udev ルールが必要です（docs/headset.md）。",
            en="On Linux the headset's buttons need a udev rule (docs/headset.md).")
HEARD_QUESTION = Text(ja="ヘッドセットから「ピー」という音が聞こえましたか？", en="Did you hear a beep in the headset?")
LISTEN = Text(ja="ヘッドセットを着けてください。「ピー」という音を鳴らします。",
              en="Put the headset on: a beep will play in it.")
ASK_SECONDS = 60.0  # how long the question waits for the agent's answer
MIC_MUTED_REMEDY = by_platform(
    windows=Text(ja="ヘッドセットのミュートスイッチと、Windows の「設定 > プライバシーとセキュリティ > マイク」で"
                 "アプリのマイクへのアクセスが許可されているかを確認してください。",
                 en="Check the headset's mute switch, and that apps may use the microphone in Windows' Settings > "
                 "Privacy & security > Microphone."),
    mac=Text(ja="ヘッドセットのミュートスイッチと、「システム設定 > プライバシーとセキュリティ > マイク」で AgentDesk が"
             "許可されているかを確認してください。",
             en="Check the headset's mute switch, and that AgentDesk may use the microphone in System Settings > "
             "Privacy & Security > Microphone."),
    linux=Text(ja="ヘッドセットのミュートスイッチと、システムのサウンド設定で入力（マイク）がミュートされていないか、"
               "音量が 0 になっていないかを確認してください。",
               en="Check the headset's mute switch, and that the input (microphone) is not muted or at zero volume "
               "in the system's sound settings."))
CONNECT = Text(ja="センターから貸与された USB ヘッドセットを PC に接続し、設定で通話用デバイスとして選んでください。",
               en="Connect the USB headset lent by the center and select it as the call device in Settings.")


def tone_in(samples: np.ndarray, rate: int, freq: float) -> tuple[bool, float, float]:
    """Whether ``freq`` dominates the recording: (found, dominant frequency, prominence in dB)."""
    if samples.size < rate // 10:
        return False, 0.0, 0.0
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size))) ** 2
    spectrum[0] = 0
    freqs = np.fft.rfftfreq(samples.size, 1 / rate)
    dominant = float(freqs[int(np.argmax(spectrum))])
    band = np.abs(freqs - freq) <= FREQ_TOLERANCE_HZ
    rest = spectrum[~band & (freqs > 100)]
    in_band = float(spectrum[band].max()) if band.any() else 0.0
    ref = float(np.median(rest)) if rest.size else 0.0
    prominence = 10 * np.log10(in_band / ref) if in_band > 0 and ref > 0 else (99.0 if in_band > 0 else 0.0)
    found = bool(abs(dominant - freq) <= FREQ_TOLERANCE_HZ and prominence >= TONE_ABOVE_NOISE_DB)
    return found, dominant, float(prominence)


def loopback(out_dev: audio.Device, in_dev: audio.Device, freq: float, seconds: float = TONE_SECONDS,
             cancel: Any = None) -> tuple[np.ndarray, int]:
    """Play a tone on ``out_dev`` while recording ``in_dev`` (separate streams: a duplex stream across two
    PortAudio devices is not reliable)."""
    sd = audio.sounddevice_module()
    if sd is None:
        raise OSError("PortAudio is not available")
    rate = 48000 if out_dev.default_rate in (0, 48000) else int(out_dev.default_rate)
    in_rate = 48000 if in_dev.default_rate in (0, 48000) else int(in_dev.default_rate)
    t = np.arange(int(seconds * rate)) / rate
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.02)
    signal = (TONE_AMPLITUDE * np.sin(2 * np.pi * freq * t) * fade).astype(np.float32)
    errors: list[BaseException] = []

    def play() -> None:
        try:
            with sd.OutputStream(device=out_dev.index, channels=1, samplerate=rate, dtype="float32") as stream:
                block = rate // 10
                for i in range(0, signal.size, block):
                    if cancel is not None and cancel.is_set():
                        break
                    stream.write(signal[i: i + block].reshape(-1, 1))
        except BaseException as exc:
            errors.append(exc)

    player = threading.Thread(target=play, name="headset-tone", daemon=True)
    recorded_box: list[np.ndarray] = []

    def rec() -> None:
        try:
            recorded_box.append(audio.record(in_dev.index, seconds + 0.6, in_rate, cancel=cancel))
        except BaseException as exc:
            errors.append(exc)

    recorder = threading.Thread(target=rec, name="headset-record", daemon=True)
    recorder.start()
    time.sleep(0.1)
    player.start()
    player.join(seconds + 5)
    recorder.join(seconds + 5)
    if errors:
        raise errors[0] if isinstance(errors[0], Exception) else RuntimeError(str(errors[0]))
    if not recorded_box:
        raise OSError("the recording did not finish")
    return recorded_box[0], in_rate


BUTTON_NAMES = {"hook_switch": Text(ja="応答/終了", en="answer/hang up"), "phone_mute": Text(ja="ミュート", en="mute"),
                "flash": Text(ja="保留", en="hold"), "hold": Text(ja="保留", en="hold"),
                "drop": Text(ja="終了", en="hang up"), "redial": Text(ja="リダイヤル", en="redial")}


def call_buttons(device_name: str | None, sysfs: str = "/sys") -> dict[str, Any]:
    """Headsets with call buttons, and the one whose buttons act for calls on ``device_name`` (PortAudio's name).
    Reads each device's report descriptor without opening it where the OS allows (Linux sysfs); never writes."""
    try:
        backend = load_backend()
        found = discover(backend, {}, sysfs)
    except (ImportError, OSError) as exc:
        return {"available": False, "reason": str(exc), "found": [], "paired": None}
    choice = pairing.choose([c.identity for c in found], device_name, sysfs=sysfs)
    chosen = next((c for c in found if choice.chosen is not None and c.path == choice.chosen.path), None)
    out: dict[str, Any] = {"available": True, "found": [c.info() for c in found], "how": choice.how,
                           "paired": chosen.info() if chosen else None}
    if chosen is not None:
        node = pairing.linux_device_node(chosen.path, sysfs)
        if node is not None and not os.access(node, os.R_OK | os.W_OK):
            out["no_access"] = node  # Linux: the udev rule is missing (docs/headset.md)
    return out


def _joined(a: Text, b: Text) -> Text:
    return Text(ja=a.ja + b.ja, en=f"{a.en} {b.en}")


def buttons_text(info: dict[str, Any]) -> Text:
    """One sentence on the call buttons, for the check's summary."""
    paired = info.get("paired")
    if paired:
        parts = [BUTTON_NAMES[b] for b in ("hook_switch", "phone_mute", "flash", "drop", "redial")
                 if b in paired["buttons"]]
        ja = "・".join(p.ja for p in parts) or "ランプのみ"
        en = ", ".join(p.en for p in parts) or "lights only"
        if info.get("no_access"):
            return Text(ja=f"通話ボタン（{paired['name']}: {ja}）が見つかりましたが、使う権限がありません。",
                        en=f"Call buttons found on {paired['name']} ({en}), but AgentDesk may not use them.")
        return Text(ja=f"通話ボタン（{paired['name']}: {ja}）が使えます。",
                    en=f"Call buttons found on {paired['name']} ({en}).")
    if info.get("found"):
        names = ", ".join(d["name"] for d in info["found"])
        return Text(ja=f"通話ボタンのあるヘッドセット（{names}）は、通話に使うデバイスではありません。",
                    en=f"Headsets with call buttons ({names}) are not the device calls use.")
    return Text(ja="通話ボタン（応答・終了・ミュート）は見つかりませんでした。画面のボタンで操作してください。",
                en="No headset call buttons (answer, hang up, mute) were found: use the buttons on screen.")


class HeadsetCheck(Check):
    name = "headset"
    title = Text(ja="ヘッドセット", en="Headset")
    resource = "audio"

    def run(self, ctx: CheckContext) -> CheckResult:
        if audio.sounddevice_module() is None:
            return self.result("skipped", Text(ja="音声デバイスを調べる仕組み（PortAudio）がありません。",
                                               en="PortAudio is not available, so audio devices cannot be listed."),
                               {}, CONNECT)
        devices = audio.list_devices()
        configured = ctx.extra.get("call_device") or None
        wanted_in = ctx.input_device if ctx.input_device is not None else configured
        wanted_out = ctx.output_device if ctx.output_device is not None else configured
        mic = audio.find_device(devices, wanted_in, "input")
        spk = audio.find_device(devices, wanted_out, "output")
        details: dict[str, Any] = {
            "devices": [d.as_dict() for d in devices],
            "configured": configured,
            "microphone": mic.name if mic else None,
            "speaker": spk.name if spk else None,
            "selected": (bool(configured) or ctx.input_device is not None) and mic is not None,
        }
        if mic is None or spk is None:
            if configured:
                summary = Text(ja="設定で選ばれたヘッドセット「{d}」が見つかりません。",
                               en="The headset selected in Settings (\u201c{d}\u201d) is not connected.").format(
                    d=configured)
            else:
                summary = Text(ja="USB ヘッドセットが見つかりません。", en="No USB headset was found.")
            return self.result("fail", summary, details, CONNECT)
        details["is_headset"] = audio.is_headset_name(mic.name)
        if not configured and ctx.input_device is None:
            # Nothing chosen in Settings: calls use the system's default device. Is that the headset?
            default_in, _default_out = audio.default_devices()
            default = next((d for d in devices if d.index == default_in), None)
            details["system_default"] = default.name if default else None
            details["selected"] = default is not None and audio.is_headset_name(default.name)
        freq = float(random.choice(range(700, 1400, 50)))
        details["tone_hz"] = freq
        ctx.progress(self.name, 0.2, {"phase": "tone", "prompt": LISTEN})
        try:
            recorded, rate = loopback(spk, mic, freq, cancel=ctx.cancel)
        except Exception as exc:
            details["error"] = str(exc)
            return self.result("fail", Text(ja="ヘッドセット「{d}」を使えませんでした: {e}",
                                            en="The headset \u201c{d}\u201d could not be used: {e}").format(
                d=mic.name, e=exc), details,
                Text(ja="ヘッドセットを挿し直し、ほかのアプリ（Web 会議など）を閉じてから、もう一度確認してください。",
                     en="Plug the headset in again, close other apps that use it (web meetings), and check again."))
        level = audio.dbfs(recorded)
        found, dominant, prominence = tone_in(recorded, rate, freq)
        details.update({"mic_level_dbfs": round(level, 1), "dominant_hz": round(dominant, 1),
                        "tone_prominence_db": round(prominence, 1), "tone_heard": found})
        name = mic.name
        if level <= SILENT_MIC_DBFS:
            return self.result("fail", Text(ja="マイク（{d}）から音が届きません（ミュートの可能性）。",
                                            en="The microphone ({d}) delivers no sound (muted?).").format(d=name),
                               details, MIC_MUTED_REMEDY)
        if found and details["selected"] is False and not configured and ctx.input_device is None:
            return self.result("warn", Text(
                ja="ヘッドセット（{d}）は動作していますが、通話用デバイスとして選ばれていません（既定: {s}）。",
                en="The headset ({d}) works but is not selected for calls (system default: {s}).").format(
                d=name, s=details.get("system_default") or "-"), details, SELECT)
        buttons = call_buttons(name)
        details["call_buttons"] = buttons
        if found:
            text = Text(ja="ヘッドセット（{d}）のスピーカーとマイクが動作しています。",
                        en="The headset ({d}) plays and records.").format(d=name)
            return self.result("pass", _joined(text, buttons_text(buttons)), details,
                               UDEV if buttons.get("no_access") else None)
        # Many headsets keep the earpiece out of the microphone on purpose: ask the one who wears it.
        ctx.progress(self.name, 0.8, {"phase": "question", "prompt": HEARD_QUESTION, "ask": "heard"})
        heard = ctx.ask(self.name, HEARD_QUESTION, ASK_SECONDS)
        details["agent_heard_tone"] = heard
        if heard is True:
            text = Text(ja="ヘッドセット（{d}）のスピーカーとマイクが動作しています（音はあなたが確認しました）。",
                        en="The headset ({d}) plays and records (you heard the tone).").format(d=name)
            return self.result("pass", _joined(text, buttons_text(buttons)), details,
                               UDEV if buttons.get("no_access") else None)
        if heard is False:
            return self.result("fail", _joined(Text(
                ja="ヘッドセット（{d}）から音が聞こえませんでした。", en="No sound came out of the headset ({d}).").format(
                d=name), buttons_text(buttons)), details,
                Text(ja="ヘッドセットの音量とミュートを確認し、設定で通話用デバイスとしてこのヘッドセットが選ばれているか"
                     "確かめてから、もう一度確認してください。",
                     en="Check the headset's volume and mute, and that this headset is the call device in Settings, "
                     "then check again."))
        return self.result("warn", _joined(Text(ja="ヘッドセット（{d}）のマイクは動作していますが、再生した音を確認できませんでした。",
                                                en="The headset's microphone ({d}) works, but the played tone was "
                                                "not heard back.").format(d=name), buttons_text(buttons)), details,
                           Text(ja="音量を上げてもう一度確認してください。音が聞こえなかった場合は、ヘッドセットの"
                                "接続と設定を確認してください。",
                                en="Turn the volume up and check again. If you heard nothing, check the headset's "
                                "connection and settings."), HEARD_QUESTION)
