"""Letters' PDFs are made from their own HTML only: WeasyPrint fetches no file and no URL."""

import shutil
import subprocess

import pytest

from complaints.printing import render_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="reading the PDF needs pdftotext (poppler-utils)")


def pdf_text(pdf):
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_a_letter_reads_no_file_it_names(tmp_path):
    secret = tmp_path / "server.css"
    secret.write_text('body::after { content: "SERVER FILE CONTENTS"; }')
    page = (f'<html><head><link rel="stylesheet" href="file://{secret}"></head>'
            f'<body><p>Dear customer</p><img src="file:///etc/hostname" alt=""></body></html>')

    text = pdf_text(render_pdf(page))

    assert "Dear customer" in text
    assert "SERVER FILE CONTENTS" not in text


def test_a_letter_still_renders_its_own_styles():
    page = ('<html><head><style>p::after { content: " (embedded)"; }</style></head>'
            '<body><p>Dear customer</p></body></html>')
    assert "Dear customer (embedded)" in pdf_text(render_pdf(page))


def test_a_letter_may_embed_its_own_assets_as_data_urls():
    css = "data:text/css,p::after%7Bcontent:%22 (from a data URL)%22%7D"
    page = f'<html><head><link rel="stylesheet" href="{css}"></head><body><p>Dear customer</p></body></html>'
    assert "Dear customer (from a data URL)" in pdf_text(render_pdf(page))
