"""Spreekkamer appliance: the core service of the interview-room box."""

__version__ = "0.1.0"
