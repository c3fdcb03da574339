"""The box's platform, apart from the domain: the validated config and its secrets, the clock,
systemd integration, worker accounts, the audit log, the change counter that wakes live
screens, and whether the box is provisioned."""
