"""Report rendering: a validated report as printable HTML and as PDF, with its transparency statement."""

from appliance.reporting.render import render_html, render_pdf
from appliance.reporting.wording import transparency_text

__all__ = ["render_html", "render_pdf", "transparency_text"]
