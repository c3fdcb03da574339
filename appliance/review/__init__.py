"""Review and validation: the worker's edits become the validated report (final text, counts of
changes, the transparency statement), sealed for central, and rendered as HTML and PDF."""
