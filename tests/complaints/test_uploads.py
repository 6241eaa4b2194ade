import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.uploads import MultipleFileField, check_upload
from tests.complaints.conftest import JPEG_BYTES, PDF_BYTES, PNG_BYTES


@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("bill.pdf", PDF_BYTES, "application/pdf"),
    ("BILL.PDF", PDF_BYTES, "application/pdf"),
    ("screen.png", PNG_BYTES, "image/png"),
    ("photo.jpg", JPEG_BYTES, "image/jpeg"),
    ("photo.jpeg", JPEG_BYTES, "image/jpeg"),
])
def test_accepted_files_get_their_content_type_from_their_content(name, content, content_type):
    uploaded = SimpleUploadedFile(name, content, content_type="application/octet-stream")

    check_upload(uploaded)

    assert uploaded.content_type == content_type
    assert uploaded.read() == content  # the check leaves the file ready to save


@pytest.mark.parametrize(("name", "content", "message"), [
    ("notes.pdf", b"Just some text pretending to be a PDF", "“notes.pdf” is not a real PDF, PNG or JPEG file"),
    ("setup.exe", b"MZ\x90\x00", "“setup.exe” can’t be attached: we accept PDF, PNG and JPEG files only."),
    ("page.html", b"%PDF-1.4 <script>", "“page.html” can’t be attached"),
    ("noextension", PDF_BYTES, "“noextension” can’t be attached"),
    ("empty.pdf", b"", "“empty.pdf” is empty."),
    ("picture.jpg", PNG_BYTES, "“picture.jpg” is a PNG image but its name ends in .jpg"),
])
def test_unacceptable_files_are_refused_with_a_message_naming_them(name, content, message):
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile(name, content))

    assert message in refused.value.messages[0]


def test_files_over_the_size_limit_are_refused(settings):
    settings.ATTACHMENT_MAX_BYTES = 100

    check_upload(SimpleUploadedFile("small.pdf", PDF_BYTES.ljust(100, b" ")))
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile("big.pdf", PDF_BYTES.ljust(101, b" ")))

    message = refused.value.messages[0].replace("\xa0", " ")
    assert message == "“big.pdf” is 101 bytes; each file must be 100 bytes or smaller."


def test_control_characters_are_removed_from_file_names():
    uploaded = SimpleUploadedFile("bill\r\n.pdf", PDF_BYTES)

    check_upload(uploaded)

    assert uploaded.name == "bill.pdf"


def test_the_field_reports_every_bad_file_and_counts_files(settings):
    settings.ATTACHMENT_MAX_FILES = 3
    field = MultipleFileField()

    with pytest.raises(ValidationError) as refused:
        field.clean([SimpleUploadedFile("a.exe", b"MZ"), SimpleUploadedFile("b.pdf", PDF_BYTES),
                     SimpleUploadedFile("c.png", b"text")])
    assert len(refused.value.messages) == 2

    with pytest.raises(ValidationError) as refused:
        field.clean([SimpleUploadedFile(f"{n}.pdf", PDF_BYTES) for n in range(4)])
    assert refused.value.messages == ["You can attach up to 3 files at a time; you chose 4."]

    assert field.clean([]) == []
    assert len(field.clean([SimpleUploadedFile(f"{n}.pdf", PDF_BYTES) for n in range(3)])) == 3
