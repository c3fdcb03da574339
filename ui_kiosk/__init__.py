"""The screens: the client's consent kiosk and the worker's review screen (static assets, texts)."""

from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
