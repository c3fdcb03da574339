"""Signed standing-choice flag messages: device -> central, central -> every room, and acks.

Layout: magic | u16 body_len | body (canonical JSON) | 64-byte Ed25519 signature over
(domain, body). Each kind has its own magic and signing domain, so a device's signed notice can
never pass for central's word, nor a flag for an ack. Only the dossier HMAC travels.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import struct
from dataclasses import asdict, dataclass
from typing import Literal, get_args

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FlagValue = Literal["manual_path", "cleared"]
FlagKind = Literal["notice", "standing", "ack"]
"""notice: a device reports a change (device key); standing: central's retained word on a
dossier (central key); ack: central has stored a device's notice (central key)."""

_MAGIC: dict[FlagKind, bytes] = {"notice": b"SKF1", "standing": b"SKS1", "ack": b"SKG1"}
_HMAC = re.compile(r"^[0-9a-f]{64}$")
_MAX_BODY = 1024


class FlagMessageError(Exception):
    """A flag message that is malformed or not signed by the expected key."""


@dataclass(frozen=True)
class FlagMessage:
    """One flag change: which dossier (HMAC), what, when, and which device's outbox row it was."""

    org: str
    device_id: str
    seq: int
    dossier_hmac: str
    flag: FlagValue
    set_at: str

    @property
    def when(self) -> dt.datetime:
        """`set_at` as an aware datetime."""
        return parse_time(self.set_at)


def is_dossier_hmac(value: str) -> bool:
    """Whether `value` looks like a dossier HMAC (64 lower-case hex digits)."""
    return bool(_HMAC.match(value))


def parse_time(text: str) -> dt.datetime:
    """An ISO-8601 time as an aware datetime; a naive one is taken as UTC (older rows)."""
    when = dt.datetime.fromisoformat(text)
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def supersedes(new: tuple[dt.datetime, str], old: tuple[dt.datetime, str] | None) -> bool:
    """Last writer wins by time; on an exact tie 'manual_path' wins, the protective choice."""
    if old is None:
        return True
    return (new[0], new[1] == "manual_path") > (old[0], old[1] == "manual_path")


def kind_of(blob: bytes) -> FlagKind | None:
    """Which kind of flag message `blob` claims to be (unverified), or None."""
    for kind, magic in _MAGIC.items():
        if blob[:4] == magic:
            return kind
    return None


def sign_flag(kind: FlagKind, message: FlagMessage, *, signing_key: Ed25519PrivateKey) -> bytes:
    """Encode and sign a flag message of the given kind."""
    _check(message)
    body = json.dumps(asdict(message), sort_keys=True, separators=(",", ":")).encode()
    return (
        _MAGIC[kind] + struct.pack(">H", len(body)) + body + signing_key.sign(_domain(kind) + body)
    )


def verify_flag(kind: FlagKind, blob: bytes, *, verify_key: Ed25519PublicKey) -> FlagMessage:
    """Check the signature for `kind` and decode; raises FlagMessageError."""
    if len(blob) < 6 + 64 or blob[:4] != _MAGIC[kind]:
        raise FlagMessageError(f"not a flag {kind} message")
    (body_len,) = struct.unpack(">H", blob[4:6])
    body, signature = blob[6 : 6 + body_len], blob[6 + body_len :]
    if body_len > _MAX_BODY or len(body) != body_len or len(signature) != 64:
        raise FlagMessageError(f"flag {kind} message is truncated")
    try:
        verify_key.verify(signature, _domain(kind) + body)
    except InvalidSignature as exc:
        raise FlagMessageError(f"flag {kind} message is not signed by the expected key") from exc
    try:
        message = FlagMessage(**json.loads(body))
        _check(message)
    except (ValueError, TypeError) as exc:
        raise FlagMessageError(f"flag {kind} message body is not valid: {exc}") from exc
    return message


def _domain(kind: FlagKind) -> bytes:
    return f"spreekkamer/v1/flag-{kind}".encode()


def _check(message: FlagMessage) -> None:
    if message.flag not in get_args(FlagValue):
        raise ValueError(f"unknown flag {message.flag!r}")
    if not isinstance(message.dossier_hmac, str) or not is_dossier_hmac(message.dossier_hmac):
        raise ValueError("dossier_hmac must be 64 lower-case hex digits")
    if type(message.seq) is not int or message.seq < 0:
        raise ValueError("seq must be a non-negative integer")
    if not isinstance(message.org, str) or not isinstance(message.device_id, str):
        raise TypeError("org and device_id must be text")
    if not isinstance(message.set_at, str):
        raise TypeError("set_at must be text")
    parse_time(message.set_at)
