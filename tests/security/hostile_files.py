"""Uploads that are not what they claim to be, made byte by byte (no file on disk).

Each maker returns a fresh SimpleUploadedFile, since a form consumes the one it is given.
"""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from PIL.PngImagePlugin import PngInfo

SCRIPT = b"<script>alert(document.cookie)</script>"
HTML_PAGE = b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>"


def _upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def _image_bytes(image_format: str, size=(32, 24), **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format=image_format, **save_options)
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A well-formed PNG whose header claims `width`×`height` pixels but whose data is a few
    bytes: what a decoder would allocate is decided by the header (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _png_chunk(b"IEND", b"")
    )


def text_named_png():
    return _upload("photo.png", b"Just some text, honestly.\n" * 20, "image/png")


def html_named_jpg():
    return _upload("photo.jpg", HTML_PAGE, "image/jpeg")


def pdf_named_jpg():
    return _upload("scan.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "image/jpeg")


def zip_named_gif():
    return _upload("anim.gif", b"PK\x03\x04" + b"\x00" * 200, "image/gif")


def empty_png():
    return _upload("empty.png", b"", "image/png")


def truncated_png():
    return _upload("cut.png", _image_bytes("PNG")[:60], "image/png")


def decompression_bomb():
    return _upload("bomb.png", png_declaring(100_000, 100_000), "image/png")


def huge_dimensions():
    return _upload("wide.png", _image_bytes("PNG", size=(6001, 1)), "image/png")


def svg_with_script():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">' + SCRIPT + b"</svg>"
    return _upload("logo.svg", svg, "image/svg+xml")


def svg_named_png():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">' + SCRIPT + b"</svg>"
    return _upload("logo.png", svg, "image/png")


def png_with_html_appended():
    """A valid PNG followed by an HTML page: decoders stop at IEND, a browser sniffing the
    file as HTML would run the script."""
    return _upload("polyglot.png", _image_bytes("PNG") + HTML_PAGE, "image/png")


def gif_with_script_comment():
    return _upload("polyglot.gif", _image_bytes("GIF", comment=HTML_PAGE), "image/gif")


def jpeg_with_php_comment():
    php = b"<?php system($_GET['cmd']); ?>"
    return _upload("polyglot.jpg", _image_bytes("JPEG", comment=php), "image/jpeg")


def png_with_script_text_chunk():
    info = PngInfo()
    info.add_text("Comment", HTML_PAGE.decode())
    return _upload("polyglot-text.png", _image_bytes("PNG", pnginfo=info), "image/png")


# (maker, a phrase of the message the uploader must see)
HOSTILE_UPLOADS = {
    "text-named-png": (text_named_png, "not an image"),
    "html-named-jpg": (html_named_jpg, "not an image"),
    "pdf-named-jpg": (pdf_named_jpg, "not an image"),
    "zip-named-gif": (zip_named_gif, "not an image"),
    "empty-file": (empty_png, "empty"),
    "truncated-png": (truncated_png, "damaged"),
    "decompression-bomb": (decompression_bomb, "too large"),
    "huge-dimensions": (huge_dimensions, "6001×1 pixels"),
    "svg-with-script": (svg_with_script, "not an image"),
    "svg-named-png": (svg_named_png, "not an image"),
    "png-with-html-appended": (png_with_html_appended, "HTML or script"),
    "gif-with-script-comment": (gif_with_script_comment, "HTML or script"),
    "jpeg-with-php-comment": (jpeg_with_php_comment, "HTML or script"),
    "png-with-script-text-chunk": (png_with_script_text_chunk, "HTML or script"),
}
