"""The receiver: MQTT in, verify and open each envelope, de-duplicate, file, then acknowledge.

Several receivers share one subscription and one store; `Receiver` is the service, `registry`
knows the enrolled devices and `sinks` forwards filed reports to an existing dossier system.
"""

from central.receiver.service import Receiver, ReceiverError

__all__ = ["Receiver", "ReceiverError"]
