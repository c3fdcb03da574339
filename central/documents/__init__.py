"""Documents derived from filed reports (letters, summaries), each traced to its sentences.

Nothing lives here yet; derived documents will be looked up from the dossier store, never
generated from anything but validated reports.
"""
