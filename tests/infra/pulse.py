"""A virtual USB headset: a private PulseAudio server with null sinks, seen by PortAudio through ALSA's pulse plugin.

Devices, as PortAudio (sounddevice) lists them:
  ``AgentDesk test headset``  in+out: plays into the sink ``agentdesk_call``, records from ``agentdesk_call_mic``
  ``AgentDesk test speaker``  out: the ring device, sink ``agentdesk_ring``
  ``pulse`` / ``default``     the server's defaults: the "built-in" sink and mic (``agentdesk_builtin``...)
A test speaks into the headset's microphone with :meth:`play_into_mic` (the sink ``agentdesk_mic_feed`` whose
monitor is the microphone) and hears what the app played with :meth:`record` (a sink's monitor).
:meth:`unplug_headset` and :meth:`plug_headset` unload and load the headset's modules, as a USB pull would.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tests.infra import net, require
from tests.infra.proc import stop_group

RATE = 48000

ASOUNDRC = """
pcm.agentdesk_headset {
    type asym
    playback.pcm { type pulse; device agentdesk_call }
    capture.pcm { type pulse; device agentdesk_call_mic }
    hint { show on; description "AgentDesk test headset" }
}
pcm.agentdesk_speaker {
    type pulse
    device agentdesk_ring
    hint { show on; description "AgentDesk test speaker" }
}
"""


@dataclass
class VirtualHeadset:
    workdir: Path
    proc: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)
    _headset_modules: list[str] = field(default_factory=list)

    @property
    def socket_path(self) -> Path:
        return self.workdir / "pulse-native"

    def start(self, timeout: float = 10.0) -> VirtualHeadset:
        exe = require.binary("pulseaudio")
        require.binary("pactl")
        require.alsa_pulse_plugin()
        runtime = self.workdir / "runtime"
        config = self.workdir / "config"
        runtime.mkdir(parents=True, exist_ok=True)
        (config / "alsa").mkdir(parents=True, exist_ok=True)
        (config / "alsa" / "asoundrc").write_text(ASOUNDRC)
        os.chmod(runtime, 0o700)
        self.env = {
            "PULSE_SERVER": f"unix:{self.socket_path}",
            "XDG_RUNTIME_DIR": str(runtime),
            "XDG_CONFIG_HOME": str(config),  # alsa-lib reads $XDG_CONFIG_HOME/alsa/asoundrc
            "PULSE_COOKIE": str(self.workdir / "cookie"),
        }
        env = {**os.environ, **self.env, "HOME": str(self.workdir)}
        sink = f"rate={RATE} channels=2"
        cmd = [
            exe, "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no", "--disable-shm=yes",
            "--log-target=stderr", "--log-level=notice",
            "-L", f"module-native-protocol-unix socket={self.socket_path} auth-anonymous=1",
            "-L", f"module-null-sink sink_name=agentdesk_builtin {sink}",
            "-L", f"module-null-sink sink_name=agentdesk_builtin_mic_feed {sink}",
            "-L", "module-remap-source master=agentdesk_builtin_mic_feed.monitor source_name=agentdesk_builtin_mic",
            "-L", f"module-null-sink sink_name=agentdesk_ring {sink}",
            "-L", f"module-null-sink sink_name=agentdesk_mic_feed {sink}",
        ]
        self._log = open(self.workdir / "pulseaudio.log", "ab")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        if not net.wait_until(lambda: self._pactl_ok("info"), timeout, interval=0.1):
            self.stop()
            raise RuntimeError(f"pulseaudio did not start: {self.log()}")
        self.pactl("set-default-sink", "agentdesk_builtin")
        self.pactl("set-default-source", "agentdesk_builtin_mic")
        self.plug_headset()
        return self

    def _pactl_ok(self, *args: str) -> bool:
        if self.proc is None or self.proc.poll() is not None:
            return False
        r = subprocess.run(["pactl", *args], env={**os.environ, **self.env}, capture_output=True, timeout=5)
        return r.returncode == 0

    def pactl(self, *args: str) -> str:
        r = subprocess.run(["pactl", *args], env={**os.environ, **self.env}, capture_output=True, text=True,
                           timeout=10, check=True)
        return r.stdout.strip()

    def plug_headset(self) -> None:
        if self._headset_modules:
            return
        sink = f"rate={RATE} channels=2"
        self._headset_modules = [
            self.pactl("load-module", "module-null-sink", "sink_name=agentdesk_call", sink),
            self.pactl("load-module", "module-remap-source", "master=agentdesk_mic_feed.monitor",
                       "source_name=agentdesk_call_mic"),
        ]

    def unplug_headset(self) -> None:
        for module in reversed(self._headset_modules):
            self.pactl("unload-module", module)
        self._headset_modules = []

    def play_into_mic(self, wav: Path, sink: str = "agentdesk_mic_feed") -> subprocess.Popen[bytes]:
        """Start playing a WAV file into the headset's microphone; returns the paplay process."""
        return subprocess.Popen(["paplay", f"--device={sink}", str(wav)], env={**os.environ, **self.env})

    def record(self, seconds: float, source: str = "agentdesk_call.monitor", rate: int = 16000) -> np.ndarray:
        """Record mono float32 samples from a source (a sink's monitor: what the app played there)."""
        n_bytes = int(seconds * rate) * 2
        proc = subprocess.Popen(
            ["parec", f"--device={source}", "--format=s16le", f"--rate={rate}", "--channels=1", "--raw",
             "--latency-msec=20"],
            env={**os.environ, **self.env}, stdout=subprocess.PIPE)
        assert proc.stdout is not None
        data = b""
        try:
            while len(data) < n_bytes:
                chunk = proc.stdout.read(min(65536, n_bytes - len(data)))
                if not chunk:
                    break
                data += chunk
        finally:
            proc.kill()
            proc.wait(5)
        return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0

    def stop(self) -> None:
        if self.proc is not None:
            stop_group(self.proc)
        self.proc = None
        if hasattr(self, "_log"):
            self._log.close()

    def log(self) -> str:
        p = self.workdir / "pulseaudio.log"
        return p.read_text(errors="replace")[-10000:] if p.exists() else ""


@contextlib.contextmanager
def headset_in_environment(workdir: Path) -> Iterator[VirtualHeadset]:
    """A started virtual headset whose environment this process (and what it starts) uses until the block ends;
    then the server stops and the environment is as before (benchmarks: no pytest monkeypatch there)."""
    headset = VirtualHeadset(workdir=workdir).start()
    saved = {k: os.environ.get(k) for k in headset.env}
    os.environ.update(headset.env)
    try:
        yield headset
    finally:
        headset.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def write_wav(path: Path, samples: np.ndarray, rate: int) -> Path:
    """Write mono float samples in [-1, 1] as 16-bit PCM WAV."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def tone(freq: float, seconds: float, rate: int, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def dominant_frequency(samples: np.ndarray, rate: int) -> float:
    windowed = samples * np.hanning(len(samples))
    spectrum = np.abs(np.fft.rfft(windowed))
    spectrum[0] = 0
    return float(np.argmax(spectrum) * rate / len(samples))
