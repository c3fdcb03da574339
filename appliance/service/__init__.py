"""The running service, assembled: the wiring that builds the appliance from its config (and
recovers contacts in flight after a restart), the dev profile, and the open-format export.
Everything else is imported from here; nothing imports this package but the CLI and tests."""
