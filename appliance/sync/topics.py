"""MQTT topic names shared by the device relay and the central receiver."""

from __future__ import annotations

ROOT = "spreekkamer/v1"
RESERVED_SEGMENTS = frozenset({"flags"})
"""Topic segments with a meaning of their own under an org: no device may be called so, or its
own topics (and broker ACL) would overlap central's retained standing-choice flags."""
SHARED_REPORTS = f"$share/receivers/{ROOT}/+/+/reports"
"""What receivers subscribe to: one receiver in the group gets each report."""


def reports(org: str, device_id: str) -> str:
    """Where a device publishes its sealed reports."""
    return f"{ROOT}/{org}/{device_id}/reports"


def acks(org: str, device_id: str) -> str:
    """Where central publishes signed acks for one device."""
    return f"{ROOT}/{org}/{device_id}/acks"


def status(org: str, device_id: str) -> str:
    """A device's retained `online`/`offline` status (last will: `offline`)."""
    return f"{ROOT}/{org}/{device_id}/status"


def parse(topic: str) -> tuple[str, str, str]:
    """(org, device_id, kind) of a Spreekkamer topic; ValueError for anything else."""
    parts = topic.split("/")
    if len(parts) != 5 or "/".join(parts[:2]) != ROOT or not parts[2] or not parts[3]:
        raise ValueError(f"not a Spreekkamer topic: {topic!r}")
    return parts[2], parts[3], parts[4]


def flag_notices(org: str, device_id: str) -> str:
    """Where a device publishes its signed standing-choice flag changes."""
    return f"{ROOT}/{org}/{device_id}/flags"


def standing_flag(org: str, dossier_hmac: str) -> str:
    """Central's retained, signed word on one dossier's standing choice."""
    return f"{ROOT}/{org}/flags/{dossier_hmac}"


def standing_flags(org: str) -> str:
    """What a device subscribes to: every dossier's standing choice in its org."""
    return f"{ROOT}/{org}/flags/+"


SHARED_FLAG_NOTICES = f"$share/receivers/{ROOT}/+/+/flags"
"""What receivers subscribe to: one receiver in the group gets each device's flag notice."""
