"""baresip (a third-party softphone) on loopback, with its own temporary configuration directory.

It listens on 127.0.0.1:<port>, answers every call by itself, plays a WAV to the caller (``aufile``) and sends
what it hears to ALSA's ``null`` device, so it needs no sound card. Its SIP trace (-s) and log go to a file
that tests attach to failures.
"""

from __future__ import annotations

import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

from tests.infra import net, require
from tests.infra.proc import stop_group


def write_tone(path: Path, seconds: float = 2.0, rate: int = 8000) -> Path:
    """A quiet 440 Hz tone, mono 16-bit (baresip's aufile source)."""
    import math

    frames = bytearray()
    for i in range(int(seconds * rate)):
        sample = int(3000 * math.sin(2 * math.pi * 440 * i / rate))
        frames += sample.to_bytes(2, "little", signed=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return path


@dataclass
class Baresip:
    workdir: Path
    user: str = "target"
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.port = self.port or net.free_port()
        self.confdir = self.workdir / f"baresip-{self.port}"
        self.log_path = self.confdir / "baresip.log"

    @property
    def uri(self) -> str:
        return f"sip:{self.user}@127.0.0.1:{self.port}"

    def write_config(self) -> None:
        self.confdir.mkdir(parents=True, exist_ok=True)
        tone = write_tone(self.confdir / "tone.wav", seconds=60)  # baresip hangs up when its source ends
        modules = "\n".join(f"module {m}.so" for m in ("stdio", "g711", "aufile", "alsa"))
        (self.confdir / "config").write_text(
            "poll_method epoll\n"
            f"sip_listen 127.0.0.1:{self.port}\n"
            "call_local_timeout 120\n"
            "call_max_calls 4\n"
            f"audio_player alsa,null\n"
            f"audio_source aufile,{tone}\n"
            "audio_alert alsa,null\n"
            "rtp_ports 30000-39999\n"
            "rtcp_mux no\n"
            "jitter_buffer_delay 1-4\n"
            "net_interface 127.0.0.1\n"
            f"module_path /usr/lib/baresip/modules\n{modules}\n"
            "module_tmp account.so\n"
            "module_app menu.so\n"
        )
        (self.confdir / "accounts").write_text(
            f"<sip:{self.user}@127.0.0.1:{self.port}>;regint=0;answermode=auto;audio_codecs=PCMU\n")
        (self.confdir / "contacts").write_text("")

    def start(self, timeout: float = 10.0) -> Baresip:
        exe = require.binary("baresip")
        self.write_config()
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([exe, "-f", str(self.confdir), "-s", "-v"], stdin=subprocess.PIPE,
                                     stdout=self._log, stderr=subprocess.STDOUT, cwd=self.confdir,
                                     start_new_session=True)
        if not net.wait_until(lambda: self.proc is not None and self.proc.poll() is None
                              and net.sip_options_ping("127.0.0.1", self.port), timeout, interval=0.1):
            self.stop()
            raise RuntimeError(f"baresip did not answer OPTIONS on port {self.port}:\n{self.log()}")
        return self

    def stop(self) -> None:
        if self.proc is None:
            return
        stop_group(self.proc)
        self._log.close()
        self.proc = None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-30000:]
        except OSError:
            return ""
