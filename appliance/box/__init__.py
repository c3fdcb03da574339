"""The box's platform, apart from the domain: the validated config and its secrets, systemd
integration, the wiring that builds the running service, the dev profile, worker accounts,
the audit log, the change counter that wakes live screens, and the open-format export."""
