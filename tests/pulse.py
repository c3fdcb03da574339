"""A private PulseAudio daemon with a virtual microphone, for real capture tests.

A null sink `spk_mic` is the "room"; its monitor is the default source, so whatever `play()`
sends into the sink is what any capture client (pyaudio via ALSA's `pulse` plugin) records.
Runs as any user, root included, in its own runtime folder; nothing touches the host's sound.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

START_TIMEOUT_S = 10.0
SINK = "spk_mic"


@dataclass(frozen=True)
class VirtualMicrophone:
    """A running daemon: `play` a WAV and it comes out of the default capture device."""

    server: str
    env: dict[str, str]

    def play(self, wav: Path, timeout_s: float = 30.0) -> None:
        """Play a file into the room and wait until it has been played."""
        subprocess.run(
            ["paplay", f"--device={SINK}", str(wav)], env=self.env, check=True, timeout=timeout_s,
            capture_output=True,
        )

    def pactl(self, *args: str) -> str:
        """Run pactl against this daemon."""
        done = subprocess.run(["pactl", *args], env=self.env, check=True, timeout=10,
                              capture_output=True, text=True)
        return done.stdout


@contextmanager
def virtual_microphone(runtime_dir: Path) -> Iterator[VirtualMicrophone]:
    """Start the daemon, point this process at it (PULSE_SERVER), stop it afterwards.

    Skips the test (with the daemon's own words) only when PulseAudio cannot run here at all.
    """
    for tool in ("pulseaudio", "pactl", "paplay"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (Debian packages pulseaudio, pulseaudio-utils)")
    runtime_dir.mkdir(parents=True, exist_ok=True)
    runtime_dir.chmod(0o700)
    socket = runtime_dir / "native"
    server = f"unix:{socket}"
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime_dir), "HOME": str(runtime_dir),
           "PULSE_SERVER": server}
    env.pop("PULSE_SINK", None)
    env.pop("PULSE_SOURCE", None)
    log_path = runtime_dir / "pulseaudio.log"
    with log_path.open("wb") as log:
        # -n: no system default.pa (it would probe real hardware); we load only what we need.
        daemon = subprocess.Popen(
            ["pulseaudio", "--daemonize=no", "-n", "--exit-idle-time=-1", "--disallow-exit",
             "--use-pid-file=no", "--log-target=stderr",
             f"--load=module-native-protocol-unix socket={socket} auth-anonymous=1",
             f"--load=module-null-sink sink_name={SINK} rate=48000 channels=2"],
            env=env, stdout=log, stderr=log,
        )
    try:
        mic = VirtualMicrophone(server, env)
        _wait_ready(mic, daemon, log_path)
        mic.pactl("set-default-source", f"{SINK}.monitor")
        mic.pactl("set-default-sink", SINK)
        previous = os.environ.get("PULSE_SERVER")
        os.environ["PULSE_SERVER"] = server  # libpulse inside pyaudio/ALSA reads it at connect time
        try:
            yield mic
        finally:
            if previous is None:
                os.environ.pop("PULSE_SERVER", None)
            else:
                os.environ["PULSE_SERVER"] = previous
    finally:
        daemon.terminate()
        try:
            daemon.wait(5)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(5)


def _wait_ready(mic: VirtualMicrophone, daemon: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            pytest.skip(f"PulseAudio cannot run here: {log_path.read_text(errors='replace')[-800:]}")
        try:
            mic.pactl("info")
            return
        except subprocess.CalledProcessError:
            time.sleep(0.1)
    raise AssertionError(f"PulseAudio did not answer within {START_TIMEOUT_S} s: "
                         f"{log_path.read_text(errors='replace')[-800:]}")
