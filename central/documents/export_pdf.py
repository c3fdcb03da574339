"""A validated document as PDF (fpdf2, as the box's reports), its sources in the PDF's metadata."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from appliance.review.render import FONT_DIR
from central.documents.layout import Block, blocks, metadata
from central.documents.store import StoredDocument

_FAMILY = "DejaVu"
_STYLE: dict[str, tuple[str, float, float, int]] = {
    # kind: (font style, size, line height, grey level)
    "title": ("B", 17, 8.5, 0), "meta": ("", 9.5, 5, 70), "heading": ("B", 12.5, 7, 0),
    "sentence": ("", 11, 5.8, 0), "source": ("", 8.5, 4.5, 90), "empty": ("", 10, 5.5, 110),
    "transparency_title": ("B", 11.5, 7, 0), "transparency": ("", 9.5, 5, 0),
}


def document_pdf(stored: StoredDocument) -> bytes:
    """Lay out the document on A4 and return the PDF bytes."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
        path = FONT_DIR / name
        if not path.is_file():
            raise ValueError(f"PDF font missing: {path} (install the fonts-dejavu-core package)")
        pdf.add_font(_FAMILY, style, str(path))
    doc = stored.document
    pdf.set_title(f"{doc.template.title} – {doc.dossier_ref}")
    pdf.set_lang(doc.language)
    pdf.set_creator("Spreekkamer")
    pdf.set_subject(f"{doc.template.id} {doc.template.version}")
    pdf.set_keywords(metadata(stored))
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    for block in blocks(stored):
        _write(pdf, block)
    return bytes(pdf.output())


def _write(pdf: FPDF, block: Block) -> None:
    style, size, height, grey = _STYLE[block.kind]
    if block.kind in ("heading", "transparency_title"):
        pdf.ln(3)
    pdf.set_font(_FAMILY, style, size)
    pdf.set_text_color(grey)
    pdf.multi_cell(0, height, block.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)
    if block.kind in ("sentence", "source", "title"):
        pdf.ln(0.8)
