"""Errors the recorder raises; each message says what to fix."""


class RecorderError(Exception):
    """An illegal recorder call (pause while idle, ...) or a capture that failed."""


class DeviceUnavailable(RecorderError):
    """A device or its driver library is missing, busy or not answering."""


class AudioFormatError(RecorderError):
    """An audio file the recorder cannot use as a microphone (wrong rate, width or channels)."""
