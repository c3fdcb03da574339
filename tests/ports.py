"""Loopback ports for the brokers and services tests and benchmarks start."""

from __future__ import annotations

import random
import socket
from pathlib import Path

_EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")


def _ephemeral_start() -> int:
    try:
        return int(_EPHEMERAL.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on `host` that nothing listens on right now.

    Taken below the kernel's ephemeral range: a port the kernel handed out with `bind(0)` can
    become the source port of some outgoing connection (a client of the broker, say) before
    the service that asked for it binds it, and the service then exits with "address in use"."""
    top = _ephemeral_start()
    for _ in range(100):
        port = random.randrange(max(1024, top - 12000), top)
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port on {host} below {top}")
