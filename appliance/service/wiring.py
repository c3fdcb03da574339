"""Builds the running appliance from a validated config: store, keys, models, recorder, sync.

The Whisper model loads here, once, before the service reports ready.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from appliance.box.audit import AuditLog
from appliance.box.config import AppConfig
from appliance.box.events import Changes
from appliance.box.keys import open_store
from appliance.box.secrets import credential_path, read_secret
from appliance.contact.lifecycle import IllegalTransition
from appliance.contact.pipeline import Pipeline
from appliance.contact.room import Room
from appliance.contact.room_base import RoomError
from appliance.review.retention import RetentionSweep
from appliance.review.validation import DeviceKeys, Validation
from appliance.service.recovery import recover
from appliance.store.audio import AudioChunks
from appliance.store.datakeys import DataKeys
from appliance.store.db import Store

log = logging.getLogger(__name__)


def _load_public(path: Any) -> Any:
    return serialization.load_pem_public_key(path.read_bytes())


@dataclass
class Appliance:
    """Everything the API needs, built once."""

    config: AppConfig
    store: Store
    audit: AuditLog
    room: Room
    pipeline: Pipeline
    validation: Validation
    relay: Any | None
    transcriber: Any | None
    buttons: Any | None
    retention: RetentionSweep | None = None

    def close(self) -> None:
        """Stop devices and workers, then close the store."""
        if self.retention is not None:
            self.retention.stop()
        if self.buttons is not None:
            self.buttons.stop()
        self.room.close()
        self.pipeline.close()
        if self.relay is not None:
            self.relay.stop(timeout=5)
        self.store.close()


def build_appliance(config: AppConfig, *, load_model: bool = True, start_sync: bool = True) -> Appliance:
    """Wire the appliance; raises with a readable message when something essential is missing."""
    from recorder.buttons import ButtonEvent, build_button, build_led
    from recorder.recorder import Recorder
    from recorder.sources import build_source
    from ui_kiosk.texts import CONSENT_TEXT_VERSION

    store, audit = open_store(config)
    keys = DataKeys(store)
    audio = AudioChunks(store, keys, config.store.data_dir / "audio")
    changes = Changes()

    transcriber = None
    streamer_factory = None
    if load_model:
        from appliance.transcription.models import resolve_model
        from appliance.transcription.streaming import StreamingTranscriber
        from appliance.transcription.whisper import WhisperTranscriber

        model = resolve_model(config.transcription)
        transcriber = WhisperTranscriber(model, config.transcription)
        log.info("model %s loaded", model.name)

        def streamer_factory() -> Any:
            return StreamingTranscriber(
                transcriber, sample_rate=config.audio.sample_rate, channels=config.audio.channels,
                language=config.transcription.language, stop_beam_size=transcriber.stop_beam_size,
            )

    source_factory = build_source(config.audio)
    room_ref: list[Room] = []

    def on_button(event: ButtonEvent) -> None:
        # A press that does not fit the moment (e.g. stop before start) is logged, not fatal.
        try:
            room_ref[0].button(event.kind)
        except (IllegalTransition, RoomError) as exc:
            log.warning("button %s ignored: %s", event.kind, exc)

    buttons = build_button(config.button, on_button)
    led = build_led(buttons)

    def recorder_factory(on_audio: Any, on_end: Any) -> Any:
        return Recorder(source_factory=source_factory, led=led, on_audio=on_audio, on_end=on_end)

    room = Room(
        config=config, store=store, audit=audit, keys=keys, audio=audio,
        dossier_key=read_secret("dossier-key", config.credentials_dir).strip(),
        recorder_factory=recorder_factory, streamer_factory=streamer_factory, changes=changes,
        text_version=CONSENT_TEXT_VERSION,
    )
    room.led = led  # type: ignore[attr-defined]
    room_ref.append(room)
    pipeline = Pipeline(room, transcriber)

    signing = serialization.load_pem_private_key(
        read_secret(config.sync.signing_key_credential, config.credentials_dir), password=None)
    central_public = _load_public(config.sync.central_public_key)
    if not isinstance(signing, Ed25519PrivateKey) or not isinstance(central_public, X25519PublicKey):
        raise TypeError("device signing key must be Ed25519 and the central key X25519")

    relay = None
    validation = Validation(room, DeviceKeys(signing, central_public), kick_relay=lambda: None)
    if start_sync:
        from appliance.sync.relay import Relay

        verify_key = _load_public(config.sync.central_verify_key)
        if not isinstance(verify_key, Ed25519PublicKey):
            raise TypeError("central verify key must be Ed25519")
        relay = Relay(
            db=store, device_id=config.device.device_id, org=config.device.org,
            broker_host=config.sync.broker_host, broker_port=config.sync.broker_port,
            ca_file=config.sync.ca_file, cert_file=config.sync.cert_file,
            key_file=credential_path(config.sync.key_credential, config.credentials_dir),
            central_verify_key=verify_key, on_delivered=validation.on_delivered, timeout_s=config.sync.timeout_s,
            # The relay applies central's signed standing-choice flags itself; we only refresh screens.
            signing_key=signing, on_flag=lambda *_: changes.notify(),
        )
        validation.kick_relay = relay.kick
        relay.start()
    recover(room, pipeline, validation)
    sweep = RetentionSweep(validation.purge_expired)
    sweep.start()
    buttons.start()
    return Appliance(config, store, audit, room, pipeline, validation, relay, transcriber, buttons, sweep)
