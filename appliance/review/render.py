"""Render a validated report as printable HTML (jinja2, autoescaped) and as PDF (fpdf2, DejaVu font)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from appliance.review.view import ReportView, parse_report
from appliance.review.wording import format_moment, labels, transparency_text

_TEMPLATES = Path(__file__).parent / "templates"
# Debian's fonts-dejavu-core: a Unicode TTF so Dutch and French accents print correctly.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

_env = Environment(
    loader=FileSystemLoader(str(_TEMPLATES)),
    autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def statement(view: ReportView) -> str:
    """The report's transparency sentence(s): the stored text, or worded from the metadata."""
    text = str(view.transparency.get("text") or "").strip()
    return text or transparency_text(view.transparency, view.language)


def render_html(report: dict[str, Any]) -> str:
    """A self-contained printable HTML page of the report; ValueError when the dict is unusable."""
    view = parse_report(report)
    return _env.get_template("report.html.j2").render(
        r=view,
        lang=view.language,
        t=labels(view.language),
        validated_at=format_moment(view.validated_at, view.language),
        transparency=statement(view),
    )


def render_pdf(report: dict[str, Any]) -> bytes:
    """The report as a PDF document; ValueError when the dict is unusable or the font is missing."""
    from appliance.review.pdf import ReportPdf  # fpdf2 is only needed when a PDF is asked for

    view = parse_report(report)
    return ReportPdf(view, FONT_DIR, statement(view)).build()
