"""Printable tube labels: the code in large type and as a QR code, nothing else about the person.

Labels are 50 × 25 mm, the common size for thermal label printers in labs.
"""

from __future__ import annotations

import io
from datetime import date

import segno
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from labsys.samples.codes import normalise_code

LABEL_MM = (50.0, 25.0)
DPI = 300


def _qr_image(code: str, size_px: int) -> Image.Image:
    buffer = io.BytesIO()
    # Error correction level Q survives a smudged or partly torn label.
    segno.make(code, error="q").save(buffer, kind="png", scale=10, border=2)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L").resize((size_px, size_px))


def _caption(received_on: date | None, form: str | None) -> str:
    return " · ".join(str(part) for part in (received_on, form) if part)


def label_png(code: str, *, received_on: date | None = None, form: str | None = None) -> bytes:
    """The label as a 300-dpi PNG."""
    code = normalise_code(code)
    width, height = (round(mm / 25.4 * DPI) for mm in LABEL_MM)
    label = Image.new("L", (width, height), 255)
    qr_size = height - 20
    label.paste(_qr_image(code, qr_size), (10, 10))
    draw = ImageDraw.Draw(label)
    text_x = qr_size + 30
    draw.text((text_x, 60), code[:4], fill=0, font=ImageFont.load_default(size=58))
    draw.text((text_x, 130), code[5:], fill=0, font=ImageFont.load_default(size=58))
    draw.text(
        (text_x, 220), _caption(received_on, form), fill=0, font=ImageFont.load_default(size=26)
    )
    out = io.BytesIO()
    label.save(out, format="PNG", dpi=(DPI, DPI))
    return out.getvalue()


def label_pdf(code: str, *, received_on: date | None = None, form: str | None = None) -> bytes:
    """The label as a one-page PDF of the label's own size, ready for a label printer."""
    code = normalise_code(code)
    width, height = LABEL_MM
    pdf = FPDF(unit="mm", format=(width, height))
    pdf.set_margin(0)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    qr = io.BytesIO()
    _qr_image(code, 400).save(qr, format="PNG")
    pdf.image(qr, x=1.5, y=1.5, w=height - 3, h=height - 3)
    pdf.set_font("Courier", "B", 13)
    pdf.set_xy(height, 5)
    pdf.cell(text=code[:4])
    pdf.set_xy(height, 11)
    pdf.cell(text=code[5:])
    caption = _caption(received_on, form)
    if caption:
        pdf.set_font("Helvetica", "", 6)
        pdf.set_xy(height, 19)
        pdf.cell(text=caption.replace("·", "-"))
    return bytes(pdf.output())
