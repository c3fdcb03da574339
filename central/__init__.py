"""Central: the organisation's side of Spreekkamer.

`receiver` takes sealed reports from the rooms (MQTT in, verify, de-duplicate, ack), `dossiers`
keeps them per dossier, `web` is the workers' screen and its API, `documents` derives documents
from filed reports and `figures` counts what a pilot needs to know. `python -m central` runs a
receiver.
"""
