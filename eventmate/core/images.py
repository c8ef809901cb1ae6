"""Validation of uploaded images (avatars, event images) with Pillow.

An upload is accepted only if Pillow can fully decode it as JPEG, PNG, GIF or WebP, it is at
most IMAGE_UPLOAD_MAX_BYTES, and neither side exceeds IMAGE_UPLOAD_MAX_PIXELS. SVG is never
accepted (it can carry script). Decompression bombs are refused before decoding. Polyglots
(a valid image that also carries an HTML page, script or PHP, in a comment, a text chunk or
after the image data) are refused too: a browser or server that ever sniffed such a file as
markup would run it. The scan looks for markup a real photograph never contains.
"""

import re
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image

ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}

# Markup that makes a file dangerous if anything ever treats it as a page or a script.
_MARKUP = re.compile(
    rb"<\s*(?:script|html|body|iframe|svg|object|embed|!doctype)\b|<\?php|javascript:",
    re.IGNORECASE,
)


def validate_image_upload(upload) -> None:
    """Raise ValidationError with a message a person can act on; leave the file rewound."""
    max_bytes = settings.IMAGE_UPLOAD_MAX_BYTES
    max_side = settings.IMAGE_UPLOAD_MAX_PIXELS
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            f"The image is {filesizeformat(upload.size)}; "
            f"the limit is {filesizeformat(max_bytes)}.",
            code="too_large",
        )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format = image.format
                width, height = image.size
                if width > max_side or height > max_side:
                    raise ValidationError(
                        f"The image is {width}×{height} pixels; at most {max_side}×{max_side} "
                        "is accepted.",
                        code="too_big_dimensions",
                    )
                image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError("The image is too large to process.", code="bomb") from None
    except Exception:
        raise ValidationError(
            "Upload a valid image (JPEG, PNG, GIF or WebP). The file is not an image or is "
            "damaged.",
            code="invalid_image",
        ) from None
    finally:
        upload.seek(0)
    if _contains_markup(upload):
        raise ValidationError(
            "The image carries HTML or script inside it; export it again from an image editor.",
            code="polyglot",
        )
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError("Upload a JPEG, PNG, GIF or WebP image.", code="unsupported_format")


def _contains_markup(upload) -> bool:
    """Scan the raw bytes in chunks (overlapping, so a tag cut in two is still found)."""
    overlap = 32
    tail = b""
    try:
        for chunk in upload.chunks():
            data = tail + chunk
            if _MARKUP.search(data):
                return True
            tail = data[-overlap:]
        return False
    finally:
        upload.seek(0)
