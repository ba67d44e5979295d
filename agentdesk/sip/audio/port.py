"""The one long-lived pjsua2 AudioMediaPort (16 kHz mono, 20 ms) that carries every call to BridgeCore.

Its callbacks run on pjmedia's clock thread with the GIL held, so they do the least possible: bytes in and out
(see :func:`frame_bytes` for the 370 us -> 2 us read of a frame) and a call into BridgeCore. Exceptions are
counted, never raised into pjsua2 (which would print and swallow them).
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np
import pjsua2 as pj

from agentdesk.sip.audio.bridge import FRAME, RATE, BridgeCore

_FRAME_BYTES = FRAME * 2


def _vector_reader_works() -> bool:
    """Check the direct read of a std::vector<unsigned char>'s buffer on a vector we made ourselves."""
    try:
        probe = bytes(range(256)) * 2 + b"agentdesk"
        bv = pj.ByteVector(probe)
        addr = int(bv.this)
        begin = ctypes.c_void_p.from_address(addr).value
        end = ctypes.c_void_p.from_address(addr + ctypes.sizeof(ctypes.c_void_p)).value
        if not begin or not end or end - begin != len(probe):
            return False
        return ctypes.string_at(begin, len(probe)) == probe
    except Exception:
        return False


_DIRECT = _vector_reader_works()
_PTR = ctypes.sizeof(ctypes.c_void_p)


def frame_bytes(buf: Any) -> bytes:
    """The bytes of a pjsua2 ByteVector. ``bytes(vector)`` costs ~370 us for 640 bytes (SWIG copies element by
    element); reading the vector's own buffer (begin/end pointers, verified at import) costs ~2 us."""
    if _DIRECT:
        addr = int(buf.this)
        begin = ctypes.c_void_p.from_address(addr).value
        end = ctypes.c_void_p.from_address(addr + _PTR).value
        if begin and end and end >= begin and end - begin == buf.size():
            return ctypes.string_at(begin, end - begin)
    return bytes(buf)


def _buffer_address(vec: Any) -> int:
    """The address of a ByteVector's first element (0 when the direct layout check failed at import)."""
    if not _DIRECT:
        return 0
    return ctypes.c_void_p.from_address(int(vec.this)).value or 0


class BridgePort(pj.AudioMediaPort):
    """Per tick nothing is allocated but the frame's own vector copy: the samples are converted in preallocated
    numpy buffers, and the outgoing frame is one long-lived ByteVector whose buffer is overwritten in place
    (``pj.ByteVector(bytes)`` cost ~40 us a frame; the whole send path went from ~39 to ~12 us)."""

    def __init__(self, core: BridgeCore) -> None:
        super().__init__()
        self.core = core
        self._out_f = np.zeros(FRAME, np.float32)
        self._out_i16 = np.zeros(FRAME, np.int16)
        self._in_i16 = np.zeros(FRAME, np.int16)
        self._in_f = np.zeros(FRAME, np.float32)
        self._zeros = np.zeros(FRAME, np.float32)
        self._out_vec = pj.ByteVector(bytes(_FRAME_BYTES))
        self._out_addr = _buffer_address(self._out_vec)
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, RATE, 1, 20000, 16)
        self.createPort("agentdesk-headset", fmt)

    def onFrameRequested(self, frame: pj.MediaFrame) -> None:
        try:
            pcm = self.core.mic_frame()
            f, i16 = self._out_f, self._out_i16
            np.multiply(pcm, 32768.0, out=f)
            np.clip(f, -32768.0, 32767.0, out=f)
            np.rint(f, out=f)
            i16[:] = f
            frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
            if self._out_addr and self._out_vec.size() == _FRAME_BYTES:
                ctypes.memmove(self._out_addr, i16.ctypes.data, _FRAME_BYTES)
                frame.buf = self._out_vec  # the setter copies the vector into the frame
            else:
                frame.buf = pj.ByteVector(i16.astype("<i2").tobytes())
            frame.size = _FRAME_BYTES
        except Exception:
            self.core.errors += 1

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:
        try:
            if frame.type != pj.PJMEDIA_FRAME_TYPE_AUDIO:
                if self.core.active:  # a call with nothing to hear keeps the speaker path ticking
                    self.core.far_frame(self._zeros)
                else:  # no call: nothing to do unless the streams run for a ring or a tone
                    self.core.idle_tick()
                return
            buf = frame.buf
            i16 = self._in_i16
            addr = _buffer_address(buf)
            if addr and buf.size() == _FRAME_BYTES:
                ctypes.memmove(i16.ctypes.data, addr, _FRAME_BYTES)
            else:
                data = frame_bytes(buf)
                if len(data) != _FRAME_BYTES:
                    return
                i16[:] = np.frombuffer(data, dtype="<i2")
            np.multiply(i16, 1.0 / 32768.0, out=self._in_f)
            self.core.far_frame(self._in_f)
        except Exception:
            self.core.errors += 1
