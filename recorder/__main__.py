"""Terminal tools for the room's devices: `check` (boot self-test) and `demo` (keyboard button).

    python -m recorder check --config /etc/spreekkamer/config.toml
    python -m recorder demo --config dev.toml --out opname.wav
"""

from __future__ import annotations

import argparse
import logging
import threading
import wave
from pathlib import Path

from appliance.box.config import ConfigError, load_config
from recorder.buttons.events import ButtonEvent
from recorder.buttons.simulated import KEYBOARD_HELP, SimulatedButton
from recorder.errors import RecorderError
from recorder.led import SimulatedLed
from recorder.recorder import Recorder, RecorderState
from recorder.selftest import self_test
from recorder.sources import build_source


def demo(config: Path | None, out: Path) -> int:
    """Record to a WAV file, driven by the keyboard as if it were the record button."""
    cfg = load_config(config)
    led = SimulatedLed()
    done = threading.Event()
    with wave.open(str(out), "wb") as wav:
        recorder = Recorder(source_factory=build_source(cfg.audio), led=led,
                            on_audio=wav.writeframes, on_end=done.set)
        wav.setnchannels(recorder.channels)
        wav.setsampwidth(2)
        wav.setframerate(recorder.sample_rate)

        def on_event(event: ButtonEvent) -> None:
            try:
                if event.kind == "long":
                    recorder.stop()
                    done.set()
                elif recorder.state is RecorderState.IDLE:
                    recorder.start()
                elif recorder.state is RecorderState.RECORDING:
                    recorder.pause()
                else:
                    recorder.resume()
            except RecorderError as exc:
                print(f"fout: {exc}")
            print(f"{recorder.state.value:9} LED {'AAN' if led.is_on else 'uit'}")

        button = SimulatedButton(on_event, keyboard=True)
        print(KEYBOARD_HELP)
        button.start()
        done.wait()
        button.stop()
        recorder.stop()
    print(f"opname in {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m recorder", description=__doc__)
    parser.add_argument("command", choices=["check", "demo"])
    parser.add_argument("--config", type=Path, help="TOML config (default: the dev profile)")
    parser.add_argument("--out", type=Path, default=Path("opname.wav"), help="demo: WAV to write")
    parser.add_argument("--seconds", type=float, default=1.0, help="check: how long to listen")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "check":
            return 0 if self_test(load_config(args.config), seconds=args.seconds) else 1
        return demo(args.config, args.out)
    except (ConfigError, RecorderError) as exc:
        print(f"fout: {exc}")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
