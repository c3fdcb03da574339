"""The life of one contact (one conversation), from opening to purge: its state machine and
stored row, consent and the dossier's standing choice, the room's worker actions, the kiosk's
view and answers, recording control, revocation, the work after stop, purge and recovery."""
