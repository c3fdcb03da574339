"""Sealed-report envelopes and signed acks: round trip, tamper detection, wrong keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from appliance.sync.envelope import (
    Ack,
    AckError,
    EnvelopeError,
    content_hash,
    envelope_hash,
    open_envelope,
    seal_report,
    sign_ack,
    verify_ack,
)

REPORT = (
    b'{"report_id":"r-1","sections":[{"id":"intake","text":"De cli\xc3\xabnt woont in Gent."}]}'
)
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4


@dataclass(frozen=True)
class Keys:
    device: Ed25519PrivateKey
    central: X25519PrivateKey

    def registry(self) -> Callable[[str], Ed25519PublicKey]:
        table = {"room-1": self.device.public_key()}
        return lambda device_id: table[device_id]


@pytest.fixture()
def keys() -> Keys:
    return Keys(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())


def _seal(keys: Keys, pdf: bytes | None = PDF) -> bytes:
    return seal_report(
        REPORT,
        pdf=pdf,
        device_id="room-1",
        report_id="r-1",
        version=2,
        signing_key=keys.device,
        central_public=keys.central.public_key(),
    )


@pytest.mark.parametrize("pdf", [PDF, None, b""])
def test_round_trip_keeps_every_field(keys: Keys, pdf: bytes | None) -> None:
    blob = _seal(keys, pdf)
    opened = open_envelope(blob, central_private=keys.central, device_key=keys.registry())
    assert (opened.device_id, opened.report_id, opened.version) == ("room-1", "r-1", 2)
    assert opened.report_json == REPORT
    assert opened.pdf == pdf
    assert opened.content_hash == content_hash(REPORT, pdf)
    assert REPORT not in blob and b"Gent" not in blob  # content is not readable in transit


def test_no_pdf_and_empty_pdf_hash_differently() -> None:
    assert content_hash(REPORT, None) != content_hash(REPORT, b"")


def test_each_seal_is_fresh_but_content_hash_is_stable(keys: Keys) -> None:
    a, b = _seal(keys), _seal(keys)
    assert a != b and envelope_hash(a) != envelope_hash(b)
    central, reg = keys.central, keys.registry()
    assert open_envelope(a, central_private=central, device_key=reg).content_hash == (
        open_envelope(b, central_private=central, device_key=reg).content_hash
    )


def test_any_flipped_byte_is_detected(keys: Keys) -> None:
    blob = _seal(keys)
    header_len = int.from_bytes(blob[4:6], "big")
    # Every header/AAD byte, every ephemeral-key byte, then a sample through ciphertext and tag.
    positions = list(range(6 + header_len + 32))
    positions += list(range(6 + header_len + 32, len(blob), 7)) + list(
        range(len(blob) - 80, len(blob))
    )
    for pos in positions:
        for flip in (0x01, 0x80):
            bad = bytearray(blob)
            bad[pos] ^= flip
            with pytest.raises(EnvelopeError):
                open_envelope(bytes(bad), central_private=keys.central, device_key=keys.registry())


@pytest.mark.parametrize("cut", [0, 3, 6, 40, -1, -16, -65])
def test_truncated_or_extended_envelope_is_rejected(keys: Keys, cut: int) -> None:
    blob = _seal(keys)
    for bad in (blob[:cut], blob + b"\x00"):
        with pytest.raises(EnvelopeError):
            open_envelope(bad, central_private=keys.central, device_key=keys.registry())


def test_wrong_device_key_is_rejected(keys: Keys) -> None:
    blob = _seal(keys)
    impostor = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(EnvelopeError, match="signature"):
        open_envelope(blob, central_private=keys.central, device_key=lambda _d: impostor)


def test_unknown_device_is_rejected(keys: Keys) -> None:
    blob = _seal(keys)

    def nobody(device_id: str) -> Ed25519PublicKey:
        raise KeyError(device_id)

    with pytest.raises(EnvelopeError, match="unknown device"):
        open_envelope(blob, central_private=keys.central, device_key=nobody)


def test_wrong_central_key_cannot_open(keys: Keys) -> None:
    blob = _seal(keys)
    with pytest.raises(EnvelopeError, match="decrypt"):
        open_envelope(blob, central_private=X25519PrivateKey.generate(), device_key=keys.registry())


def test_not_an_envelope_gives_clear_error(keys: Keys) -> None:
    with pytest.raises(EnvelopeError, match="magic"):
        open_envelope(b'{"hello": 1}', central_private=keys.central, device_key=keys.registry())


def test_seal_refuses_bad_identity(keys: Keys) -> None:
    with pytest.raises(ValueError):
        seal_report(
            REPORT,
            pdf=None,
            device_id="room-1",
            report_id="r",
            version=0,
            signing_key=keys.device,
            central_public=keys.central.public_key(),
        )


ACK = Ack("room-1", "r-1", 2, "e" * 64, "c" * 64, "stored")


def test_ack_round_trip_and_is_deterministic() -> None:
    central = Ed25519PrivateKey.generate()
    blob = sign_ack(ACK, signing_key=central)
    assert blob == sign_ack(ACK, signing_key=central)
    assert verify_ack(blob, verify_key=central.public_key()) == ACK


def test_forged_or_tampered_ack_is_rejected() -> None:
    central, forger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    with pytest.raises(AckError):
        verify_ack(sign_ack(ACK, signing_key=forger), verify_key=central.public_key())
    blob = sign_ack(ACK, signing_key=central)
    for pos in range(len(blob)):
        bad = bytearray(blob)
        bad[pos] ^= 0x01
        with pytest.raises(AckError):
            verify_ack(bytes(bad), verify_key=central.public_key())
