"""Pilot figures: counts over filed reports that tell an organisation how the rooms are used.

Nothing lives here yet; figures will be computed from the dossier store's clear columns only.
"""
