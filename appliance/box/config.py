"""The appliance's one validated configuration file (TOML) and its embedded dev defaults.

Secrets never live here: the config names *which* credential to read; the bytes come from
`$CREDENTIALS_DIRECTORY` (systemd) or from a 0600 file (see `appliance.box.secrets`).
"""

from __future__ import annotations

import ipaddress
import tomllib
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DEV_HOME = Path(".spreekkamer")
"""Where the dev profile keeps its CA, keys, databases and the assembled model (git-ignored)."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeviceConfig(_Section):
    """Who this box is."""

    org: Annotated[str, Field(pattern=r"^[a-z0-9-]{2,40}$", description="Organisation id (OCMW), lower case, used in MQTT topics.")] = "dev-ocmw"
    device_id: Annotated[str, Field(pattern=r"^[a-z0-9-]{2,40}$", description="This box's unique id, used in MQTT topics and report envelopes.")] = "dev-room-1"
    room: Annotated[str, Field(max_length=80, description="Human name of the interview room, shown to workers.")] = "Spreekkamer 1"
    dossier_ref_pattern: Annotated[str, Field(max_length=200, description="Regular expression a dossier reference must match after normalising (NFKC, trimmed, upper case): the organisation's own numbering.")] = r"^[A-Z0-9][A-Z0-9./_-]{0,63}$"


class ApiConfig(_Section):
    """The HTTP service for the kiosk and worker screens."""

    host: Annotated[str, Field(description="Address the worker side (worker screen and its API) listens on. The dev profile only allows loopback.")] = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535, description="TCP port of the worker side.")] = 8080
    tls: Annotated[bool, Field(description="Serve the worker side over HTTPS with the box's certificate (sync.cert_file, made by the organisation's CA at enrolment and renewed by 'device rotate') and its key (sync.key_credential). Required off loopback.")] = False
    kiosk_port: Annotated[int, Field(ge=1, le=65535, description="TCP port of the kiosk side (the client's consent screen), which listens on 127.0.0.1 only: nothing on the network can answer for the client.")] = 8081
    session_hours: Annotated[float, Field(gt=0, le=24, description="Lifetime of a worker login session, in hours.")] = 8.0


class StoreConfig(_Section):
    """Where data lives at rest (all of it encrypted)."""

    data_dir: Annotated[Path, Field(description="Folder for the SQLCipher database and encrypted audio chunks.")] = DEV_HOME / "data"
    key_credential: Annotated[str, Field(description="Credential name of the 32-byte database key (hex).")] = "db-key"


class AudioConfig(_Section):
    """Where the microphone signal comes from."""

    source: Annotated[Literal["wav", "pyaudio"], Field(description="'wav' plays a file as if it were the microphone; 'pyaudio' captures a real device.")] = "wav"
    wav_path: Annotated[Path | None, Field(description="WAV file (16 kHz, 16-bit) used when source is 'wav'.")] = None
    speedup: Annotated[float, Field(gt=0, le=1000, description="How much faster than real time the WAV source plays.")] = 1.0
    device: Annotated[str | None, Field(description="pyaudio input device name or index; default device when empty.")] = None
    sample_rate: Annotated[int, Field(description="Capture rate in Hz; Whisper needs 16000.")] = 16000
    channels: Annotated[Literal[1, 2], Field(description="1 = one microphone; 2 = worker left, client right (speaker labels by channel energy).")] = 1
    chunk_seconds: Annotated[float, Field(gt=0, le=2.0, description="Audio is sealed into an encrypted chunk at least this often (crash safety).")] = 2.0


class ButtonConfig(_Section):
    """The room's physical record button."""

    backend: Annotated[Literal["simulated", "serial", "evdev", "gpio"], Field(description="Which button driver to use.")] = "simulated"
    path: Annotated[str | None, Field(description="Serial port, evdev device or gpiochip path, for the non-simulated backends.")] = None
    line: Annotated[int | None, Field(ge=0, description="GPIO line offset (gpio backend).")] = None
    long_press_s: Annotated[float, Field(gt=0.2, le=10, description="A press held at least this long means 'stop'.")] = 1.5
    debounce_ms: Annotated[int, Field(ge=0, le=500, description="Presses closer together than this are one press.")] = 50


class TranscriptionConfig(_Section):
    """Local speech recognition (faster-whisper / CTranslate2)."""

    model_dir: Annotated[Path | None, Field(description="CTranslate2 Whisper model folder; the bundled multilingual base model when empty.")] = None
    language: Annotated[str, Field(pattern=r"^[a-z]{2}$", description="Spoken language, pinned (never auto-detected).")] = "nl"
    device: Annotated[Literal["auto", "cpu", "cuda"], Field(description="'auto' uses CUDA when CTranslate2 sees a GPU, else the CPU.")] = "auto"
    compute_type: Annotated[str, Field(description="CTranslate2 compute type; 'auto' = float16 on CUDA, int8 on CPU.")] = "auto"
    beam_size: Annotated[int, Field(ge=1, le=10, description="Beam search width.")] = 5
    temperature_fallback: Annotated[Literal["auto", "on", "off"], Field(description="Decode a window again at a higher temperature when its text looks unreliable. 'auto': on with CUDA, off on a CPU, where a re-decode under way when stop is pressed can hold the worker's draft for seconds; re-decoding samples at random, so with it the same recording can read differently from one run to the next.")] = "auto"
    stop_beam_size: Annotated[Literal["auto"] | Annotated[int, Field(ge=1, le=10)], Field(description="Beam width for the speech still undecoded when recording stops, which the worker waits for. 'auto': 1 on a CPU (greedy decoding takes half the time of a beam of 5 there, at some cost in accuracy for those last seconds only), beam_size with CUDA.")] = "auto"
    repetition_penalty: Annotated[float, Field(ge=1.0, le=2.0, description="Penalty on tokens already written in the same 30 s window (1 = none). Whisper otherwise often repeats a phrase until its token limit: the text is lost (the loop guard drops it) and the time spent is the longest decode there is. 1.1 cut such windows from 18 to 4 of 59 and lowered the error rate on every evaluation conversation.")] = 1.1
    best_of: Annotated[int, Field(ge=1, le=10, description="Samples drawn when a hard passage is decoded again at a higher temperature; each one costs a full decode, so keep it low on a CPU.")] = 1
    cpu_threads: Annotated[int, Field(ge=0, le=64, description="CPU threads for inference; 0 lets CTranslate2 choose.")] = 0


class DraftingConfig(_Section):
    """Template-bound drafting."""

    templates_dir: Annotated[Path | None, Field(description="Extra folder of template files; the bundled templates when empty.")] = None


class SyncConfig(_Section):
    """MQTT over TLS to the central dossier server."""

    broker_host: Annotated[str, Field(description="MQTT broker host name or address.")] = "127.0.0.1"
    broker_port: Annotated[int, Field(ge=1, le=65535, description="MQTT broker TLS port.")] = 8883
    ca_file: Annotated[Path, Field(description="CA certificate that signed the broker's certificate.")] = DEV_HOME / "pki" / "ca.crt"
    cert_file: Annotated[Path, Field(description="This device's client certificate.")] = DEV_HOME / "pki" / "dev-room-1.crt"
    key_credential: Annotated[str, Field(description="Credential name of the device's TLS client key (PEM).")] = "tls-key"
    signing_key_credential: Annotated[str, Field(description="Credential name of the device's Ed25519 report-signing key (PEM).")] = "signing-key"
    central_public_key: Annotated[Path, Field(description="Central X25519 public key (PEM) reports are encrypted to.")] = DEV_HOME / "pki" / "central-x25519.pub"
    central_verify_key: Annotated[Path, Field(description="Central Ed25519 public key (PEM) that signs acknowledgements.")] = DEV_HOME / "pki" / "central-ed25519.pub"
    retention_days: Annotated[int, Field(ge=0, le=3650, description="Days a validated report and its sealed envelope stay on the box after central acknowledged them (for printing and corrections on the box); 0 = removed on acknowledgement. Audio, transcript and draft go at delivery regardless.")] = 30
    timeout_s: Annotated[float, Field(gt=0, le=120, description="Timeout for connecting to the broker and for each publish.")] = 10.0


class KioskConfig(_Section):
    """What the client sees."""

    default_language: Annotated[str, Field(description="Language the consent question opens in.")] = "nl"
    contact_info: Annotated[str, Field(max_length=400, description="Whom the client can contact about their data (shown on the receipt).")] = (
        "OCMW – functionaris voor gegevensbescherming, dpo@ocmw.example, 09 000 00 00"
    )
    question_expiry_s: Annotated[float, Field(ge=30, le=3600, description="Seconds an unanswered consent question stays on the kiosk; after that (and after a restart) the worker asks again.")] = 300.0


class AppConfig(_Section):
    """Everything the appliance needs, validated at start-up."""

    profile: Annotated[Literal["dev", "production"], Field(description="'dev' runs on a laptop with no hardware and loopback only.")] = "dev"
    device: DeviceConfig = DeviceConfig()
    api: ApiConfig = ApiConfig()
    store: StoreConfig = StoreConfig()
    audio: AudioConfig = AudioConfig()
    button: ButtonConfig = ButtonConfig()
    transcription: TranscriptionConfig = TranscriptionConfig()
    drafting: DraftingConfig = DraftingConfig()
    sync: SyncConfig = SyncConfig()
    kiosk: KioskConfig = KioskConfig()
    credentials_dir: Annotated[Path | None, Field(description="Folder of 0600 secret files, used when $CREDENTIALS_DIRECTORY is not set.")] = DEV_HOME / "credentials"

    @model_validator(mode="after")
    def _dev_stays_on_loopback(self) -> AppConfig:
        if self.profile == "dev":
            for name, host in (("api.host", self.api.host), ("sync.broker_host", self.sync.broker_host)):
                if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
                    raise ValueError(f"{name}: the dev profile only uses loopback addresses, not {host!r}")
        if not self.api.tls and self.api.host != "localhost" and not ipaddress.ip_address(self.api.host).is_loopback:
            raise ValueError(f"api.tls: the worker side on {self.api.host!r} reaches the network, so it must use TLS")
        if self.api.kiosk_port == self.api.port:
            raise ValueError("api.kiosk_port: the kiosk side needs a port of its own")
        if self.audio.source == "wav" and self.profile == "production":
            raise ValueError("audio.source: a production box records from a microphone ('pyaudio')")
        return self


M = TypeVar("M", bound=BaseModel)


class ConfigError(Exception):
    """A config file that cannot be used; the message names each bad field by its path."""


def load_config(path: Path | None) -> AppConfig:
    """Read and validate a TOML config; no path gives the embedded dev defaults."""
    if path is None:
        return AppConfig()
    return load_toml_model(path, AppConfig, ConfigError)


def load_toml_model(path: Path, model: type[M], error: type[Exception]) -> M:
    """Read a TOML file into a pydantic model; every problem becomes one readable line of `error`."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML: {exc}") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise error(format_errors(path, exc)) from exc


def format_errors(path: Path, exc: ValidationError) -> str:
    """One line per problem: `file: a.b.c: message`."""
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"{path}: {where}: {err['msg']}")
    return "\n".join(lines)
