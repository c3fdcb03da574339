"""The workers' screen at central and its API: today's appointments and each dossier's overview."""
