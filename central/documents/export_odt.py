"""A validated document as ODT (odfpy), its sources in the document's user-defined metadata."""

from __future__ import annotations

import io

from odf.meta import UserDefined
from odf.opendocument import OpenDocumentText
from odf.style import ParagraphProperties, Style, TextProperties
from odf.text import H, P

from central.documents.layout import blocks, metadata
from central.documents.store import StoredDocument

_STYLES: dict[str, dict[str, str]] = {
    "title": {"fontsize": "17pt", "fontweight": "bold"},
    "meta": {"fontsize": "9.5pt", "color": "#464646"},
    "sentence": {"fontsize": "11pt"},
    "source": {"fontsize": "8.5pt", "color": "#5a5a5a"},
    "empty": {"fontsize": "10pt", "color": "#6e6e6e"},
    "transparency_title": {"fontsize": "11.5pt", "fontweight": "bold"},
    "transparency": {"fontsize": "9.5pt"},
}


def document_odt(stored: StoredDocument) -> bytes:
    """The document as an OpenDocument text file."""
    odt = OpenDocumentText()
    styles = {}
    for name, props in _STYLES.items():
        style = Style(name=name, family="paragraph")
        style.addElement(TextProperties(fontfamily="DejaVu Sans", **props))
        style.addElement(ParagraphProperties(marginbottom="0.12cm"))
        odt.styles.addElement(style)
        styles[name] = style
    heading = Style(name="Heading 2", family="paragraph")
    heading.addElement(TextProperties(fontsize="12.5pt", fontweight="bold", fontfamily="DejaVu Sans"))
    heading.addElement(ParagraphProperties(margintop="0.3cm", marginbottom="0.15cm"))
    odt.styles.addElement(heading)
    odt.meta.addElement(UserDefined(name="spreekkamer-document", text=metadata(stored)))
    for block in blocks(stored):
        if block.kind == "heading":
            odt.text.addElement(H(outlinelevel=2, stylename=heading, text=block.text))
        else:
            odt.text.addElement(P(stylename=styles[block.kind], text=block.text))
    out = io.BytesIO()
    odt.write(out)
    return out.getvalue()
