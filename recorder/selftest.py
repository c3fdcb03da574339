"""Boot-time hardware check: button board answers, LED switches, microphone delivers sound."""

from __future__ import annotations

import logging
import math
import struct
import time
from collections.abc import Callable

from appliance.box.config import AppConfig
from recorder.buttons.events import Button
from recorder.buttons.factory import build_button, build_led
from recorder.errors import RecorderError
from recorder.led import Led
from recorder.recorder import Recorder
from recorder.sources import build_source

log = logging.getLogger(__name__)


def rms_dbfs(pcm: bytes) -> float:
    """Level of 16-bit PCM in dB full scale (-inf for digital silence)."""
    count = len(pcm) // 2
    if count == 0:
        return -math.inf
    total = sum(s * s for s in struct.unpack(f"<{count}h", pcm[: count * 2]))
    rms = math.sqrt(total / count)
    return 20 * math.log10(rms / 32768) if rms > 0 else -math.inf


def self_test(cfg: AppConfig, *, seconds: float = 1.0, report: Callable[[str], None] = print) -> bool:
    """Open every configured device once; True when all of them worked."""
    chunks: list[bytes] = []
    button: Button = build_button(cfg.button, lambda event: report(f"knop: {event.kind}"))
    ok = True
    try:
        button.start()
        report(f"knop ({cfg.button.backend}): ok")
        led: Led = build_led(button)
        recorder = Recorder(source_factory=build_source(cfg.audio), led=led, on_audio=chunks.append)
        recorder.start()
        time.sleep(seconds)
        recorder.stop()
        level = rms_dbfs(b"".join(chunks))
        report(f"microfoon: {len(chunks)} blokken, niveau {level:.1f} dBFS")
        if not chunks or level == -math.inf:
            report("microfoon: geen signaal (digitale stilte) - kabel of apparaat nakijken")
            ok = False
    except RecorderError as exc:
        report(f"fout: {exc}")
        ok = False
    finally:
        button.stop()
    return ok
