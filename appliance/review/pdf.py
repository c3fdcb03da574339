"""PDF layout of a validated report (fpdf2, pure Python) with page header, footer and transparency box."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from appliance.review.view import ReportView
from appliance.review.wording import format_moment, labels

_FAMILY = "DejaVu"


class ReportPdf(FPDF):
    """One report laid out on A4; `build()` returns the document bytes."""

    def __init__(self, view: ReportView, font_dir: Path, transparency: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.view = view
        self.t = labels(view.language)
        self.transparency = transparency
        regular, bold = font_dir / "DejaVuSans.ttf", font_dir / "DejaVuSans-Bold.ttf"
        for path in (regular, bold):
            if not path.is_file():
                raise ValueError(f"PDF font missing: {path} (install the fonts-dejavu-core package)")
        self.add_font(_FAMILY, "", str(regular))
        self.add_font(_FAMILY, "B", str(bold))
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_title(f"{view.template.title or view.template.id} – {view.dossier_ref}")
        self.set_lang(view.language)
        self.set_creator("Spreekkamer")

    def header(self) -> None:
        """Dossier reference on every page, so loose printed pages stay traceable."""
        self.set_font(_FAMILY, "", 8)
        self.set_text_color(90)
        self.cell(0, 5, f"{self.t['dossier']} {self.view.dossier_ref} · {self.view.report_id} · "
                  f"{self.t['version']} {self.view.version}", align="R",
                  new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)
        self.ln(2)

    def footer(self) -> None:
        """Page x/y."""
        self.set_y(-15)
        self.set_font(_FAMILY, "", 8)
        self.cell(0, 5, f"{self.t['page']} {self.page_no()}/{{nb}}", align="C")

    def _meta_row(self, label: str, value: str) -> None:
        self.set_font(_FAMILY, "B", 10)
        self.cell(48, 6, label)
        self.set_font(_FAMILY, "", 10)
        self.multi_cell(0, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def build(self) -> bytes:
        """Lay out the whole report and return the PDF bytes."""
        v, t = self.view, self.t
        self.add_page()
        self.set_font(_FAMILY, "B", 18)
        self.multi_cell(0, 9, v.template.title or v.template.id, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self._meta_row(t["dossier"], v.dossier_ref)
        if v.org:
            self._meta_row("OCMW", v.org)
        self._meta_row(t["template"], f"{v.template.id}, {t['version']} {v.template.version}")
        version = str(v.version) + (f" ({t['supersedes']} {v.supersedes})" if v.supersedes else "")
        self._meta_row(t["report_version"], version)
        self._meta_row(t["validated_by"], v.validated_by.display_name)
        self._meta_row(t["validated_at"], format_moment(v.validated_at, v.language))
        self.ln(2)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        for section in v.sections:
            self.ln(4)
            self.set_font(_FAMILY, "B", 13)
            self.multi_cell(0, 7, section.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_font(_FAMILY, "", 11)
            if not section.sentences:
                self.set_text_color(100)
                self.multi_cell(0, 6, t["empty_section"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                self.set_text_color(0)
            for sentence in section.sentences:
                self.multi_cell(0, 6, sentence.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                self.ln(1)
        self._transparency_box()
        return bytes(self.output())

    def _transparency_box(self) -> None:
        self.ln(6)
        self.set_fill_color(240)
        self.set_font(_FAMILY, "B", 12)
        self.cell(0, 8, self.t["transparency"], fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(_FAMILY, "", 10)
        self.multi_cell(0, 5.5, self.transparency, fill=True, padding=(1, 2, 2, 2), align="L",
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
