"""Documents derived from a dossier's validated reports: social report, proposal to the committee,
decision letter. Predefined versioned templates, every sentence citing its source, nothing
generated, no decision proposed by the software, each document validated by a named worker.
"""
