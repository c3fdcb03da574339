"""No import cycles in the project's packages, and the package diagram in docs/ is the code's.

Every import counts, at module level, inside a function (deferred) or under TYPE_CHECKING,
because each is a dependency a reader must follow."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "architecture.py"


def _architecture() -> ModuleType:
    spec = importlib.util.spec_from_file_location("architecture", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_packages_have_no_import_cycles() -> None:
    arch = _architecture()
    graph = arch.graph()
    assert len(graph) > 100  # the walk found the project
    assert "appliance.contact.room" in graph["appliance.service.wiring"]  # and its imports
    assert "appliance.store.db" in graph["appliance.contact.room_base"]
    assert arch.cycles(graph) == []
    # Packages too: service → api, contact, review, … → box → store, one way.
    packages = arch.package_graph(graph)
    assert "appliance.box" in packages["appliance.contact"]
    assert arch.cycles(packages) == []


def test_a_cycle_would_be_found() -> None:
    arch = _architecture()
    graph = arch.graph()
    graph["appliance.store.db"].add("appliance.service.wiring")  # wiring imports the store: a loop
    assert any({"appliance.store.db", "appliance.service.wiring"} <= set(c) for c in arch.cycles(graph))


def test_the_package_diagram_is_the_codes() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--check"], check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
