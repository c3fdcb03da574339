"""The dossier store: filed reports (de-duplicated on id + version) and standing-choice flags."""
