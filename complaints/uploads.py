"""Attachments customers upload: checked by their content, never by their name or the browser's word."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.cache import patch_cache_control

# The file types we accept: how their content starts, their content type, and the
# extensions their names may have.
FILE_TYPES = (
    (b"%PDF-", "application/pdf", "PDF", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG image", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", "JPEG image", (".jpg", ".jpeg")),
)
ALLOWED_EXTENSIONS = tuple(ext for *_, extensions in FILE_TYPES for ext in extensions)
ACCEPT = ",".join((*ALLOWED_EXTENSIONS, *(content_type for _, content_type, _, _ in FILE_TYPES)))
SIGNATURE_LENGTH = max(len(signature) for signature, *_ in FILE_TYPES)


def size_in_words(size):
    """Say a size as people read it: "10 MB" for a whole number of megabytes, else as filesizeformat does."""
    megabytes, rest = divmod(size, 1024 * 1024)
    return f"{megabytes} MB" if megabytes and not rest else filesizeformat(size)


def limits_in_words():
    """Say the upload rules a form states up front: how many files, how big, of which types."""
    files = settings.ATTACHMENT_MAX_FILES
    return (f"Up to {files} file{'s' if files != 1 else ''}, each {size_in_words(settings.ATTACHMENT_MAX_BYTES)} "
            f"or smaller: PDF, PNG or JPEG.")


def detect_type(uploaded):
    """Return (content type, label, extensions) for a file's content, or None if not accepted."""
    uploaded.seek(0)
    head = uploaded.read(SIGNATURE_LENGTH)
    uploaded.seek(0)
    for signature, content_type, label, extensions in FILE_TYPES:
        if head.startswith(signature):
            return content_type, label, extensions
    return None


def check_upload(uploaded):
    """Reject a file we cannot accept; otherwise set its content type from its content."""
    # Control characters in a name would break the download's Content-Disposition header.
    uploaded.name = "".join(char for char in uploaded.name if char.isprintable()).strip() or "attachment"
    name = uploaded.name
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            "“%(name)s” can’t be attached: we accept PDF, PNG and JPEG files only.",
            code="extension", params={"name": name},
        )
    if uploaded.size == 0:
        raise ValidationError("“%(name)s” is empty.", code="empty", params={"name": name})
    limit = settings.ATTACHMENT_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            "“%(name)s” is %(size)s; each file must be %(limit)s or smaller.",
            code="too_big", params={"name": name, "size": filesizeformat(uploaded.size),
                                    "limit": filesizeformat(limit)},
        )
    detected = detect_type(uploaded)
    if detected is None:
        raise ValidationError(
            "“%(name)s” is not a real PDF, PNG or JPEG file (its contents don’t match its name).",
            code="content", params={"name": name},
        )
    content_type, label, extensions = detected
    if extension not in extensions:
        raise ValidationError(
            "“%(name)s” is a %(label)s but its name ends in %(extension)s: rename it to end in "
            "%(expected)s and choose it again.",
            code="mismatch",
            params={"name": name, "label": label, "extension": extension, "expected": extensions[0]},
        )
    uploaded.content_type = content_type


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several attachments in one input, each checked by content (Django's "Uploading multiple files")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        # check_upload rejects empty files with a message naming the file.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [file for file in files if file]
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        limit = settings.ATTACHMENT_MAX_FILES
        if len(files) > limit:
            raise ValidationError(
                "You can attach up to %(limit)s files at a time; you chose %(count)s.",
                code="too_many", params={"limit": limit, "count": len(files)},
            )
        cleaned, errors = [], []
        for file in files:
            try:
                file = super().clean(file, initial)
                check_upload(file)
            except ValidationError as error:
                errors.extend(error.error_list)
            else:
                cleaned.append(file)
        if errors:
            raise ValidationError(errors)
        return cleaned


def download(attachment):
    """Return a response sending an attachment's file, or raise 404 if it is no longer kept.

    The caller has decided who may have it; the response is never cached and never sniffed.
    """
    if not attachment.file:  # erased when the complaint was anonymised
        raise Http404("The file is no longer kept.")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is no longer kept.") from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response
