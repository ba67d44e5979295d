"""baresip (a third-party softphone) on loopback, with its own temporary configuration directory.

It listens on 127.0.0.1:<port>, answers every call by itself, plays a WAV to the caller (``aufile``) and sends
what it hears to ALSA's ``null`` device, so it needs no sound card. Its SIP trace (-s) and log go to a file
that tests attach to failures.

In the network rig (tests/infra/netrig) it runs inside a namespace (``netns``, ``host``): a customer or Tier-2 desk
at the center, or an agent at home registering through the NAT (``registrar``). ``record_dir`` records what it
hears and sends (the ``sndfile`` module: ``dump-<time>-dec.wav`` / ``-enc.wav``); ``dial()`` places a call.
"""

from __future__ import annotations

import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.infra import net, require
from tests.infra.proc import stop_group

if TYPE_CHECKING:
    from tests.infra.netrig.ns import Netns


def write_tone(path: Path, seconds: float = 2.0, rate: int = 8000, freq: float = 440.0) -> Path:
    """A quiet tone (440 Hz unless told), mono 16-bit (baresip's aufile source)."""
    import math

    frames = bytearray()
    for i in range(int(seconds * rate)):
        sample = int(3000 * math.sin(2 * math.pi * freq * i / rate))
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
    host: str = "127.0.0.1"            # the address it listens on (and sends media from)
    netns: Netns | None = None         # run inside this network namespace (the rig)
    source: Path | None = None         # WAV it plays (default: a 440 Hz tone); it hangs up when it ends
    record_dir: Path | None = None     # record what it hears/sends (sndfile module)
    codecs: str = "PCMU"
    registrar: str | None = None       # register there (sip:host:port) as user@agentdesk.test, through it all calls
    password: str | None = None
    jitter_buffer: str = "1-4"         # frames (baresip's jitter_buffer_delay)
    extra_modules: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.port = self.port or (5060 if self.netns is not None else net.free_port())
        self.confdir = self.workdir / f"baresip-{self.host}-{self.port}"
        self.log_path = self.confdir / "baresip.log"

    @property
    def uri(self) -> str:
        return f"sip:{self.user}@{self.host}:{self.port}"

    def write_config(self) -> None:
        self.confdir.mkdir(parents=True, exist_ok=True)
        source = self.source or write_tone(self.confdir / "tone.wav", seconds=60)  # it hangs up when it ends
        names = ["stdio", "g711", "aufile", "alsa", *self.extra_modules]
        if self.record_dir is not None:
            self.record_dir.mkdir(parents=True, exist_ok=True)
            names.append("sndfile")
        modules = "\n".join(f"module {m}.so" for m in dict.fromkeys(names))
        (self.confdir / "config").write_text(
            "poll_method epoll\n"
            f"sip_listen {self.host}:{self.port}\n"
            "call_local_timeout 120\n"
            "call_max_calls 4\n"
            f"audio_player alsa,null\n"
            f"audio_source aufile,{source}\n"
            "audio_alert alsa,null\n"
            "rtp_ports 30000-39999\n"
            "rtcp_mux no\n"
            f"jitter_buffer_delay {self.jitter_buffer}\n"
            f"net_interface {self.host}\n"
            + (f"snd_path {self.record_dir}\n" if self.record_dir is not None else "")
            + f"module_path /usr/lib/baresip/modules\n{modules}\n"
            "module_tmp account.so\n"
            "module_app menu.so\n"
        )
        if self.registrar is not None:
            auth = f";auth_pass={self.password}" if self.password else ""
            account = (f"<sip:{self.user}@agentdesk.test>{auth};outbound=\"{self.registrar}\";regint=300;"
                       f"answermode=auto;audio_codecs={self.codecs}\n")
        else:
            account = f"<sip:{self.user}@{self.host}:{self.port}>;regint=0;answermode=auto;audio_codecs={self.codecs}\n"
        (self.confdir / "accounts").write_text(account)
        (self.confdir / "contacts").write_text("")

    def start(self, timeout: float = 10.0) -> Baresip:
        exe = require.binary("baresip")
        self.write_config()
        self._log = open(self.log_path, "ab")
        argv = [exe, "-f", str(self.confdir), "-s", "-v"]
        if self.netns is not None:
            argv = self.netns.prefix + argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=self._log, stderr=subprocess.STDOUT, cwd=self.confdir,
                                     start_new_session=True)
        if not net.wait_until(lambda: self.proc is not None and self.proc.poll() is None
                              and self._answers(), timeout, interval=0.1):
            self.stop()
            raise RuntimeError(f"baresip did not answer OPTIONS on port {self.port}:\n{self.log()}")
        return self

    def _answers(self) -> bool:
        if self.netns is None:
            return net.sip_options_ping(self.host, self.port)
        return self.netns.call(net.sip_options_ping, self.host, self.port, 0.5, self.host)

    def command(self, line: str) -> None:
        """A menu command on its stdin, e.g. ``/dial sip:agent1@agentdesk.test`` or ``/hangup``."""
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def dial(self, uri: str) -> None:
        self.command(f"/dial {uri}")

    def recordings(self, kind: str = "dec") -> list[Path]:
        """What it heard (``dec``) or sent (``enc``), one WAV per call, oldest first."""
        if self.record_dir is None:
            return []
        return sorted(self.record_dir.glob(f"dump-*-{kind}.wav"), key=lambda p: p.stat().st_mtime)

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
