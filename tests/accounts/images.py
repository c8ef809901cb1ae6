"""Uploads for the account tests: real images made with Pillow."""

import io
import os

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_file(name="me.png", *, size=(64, 48), image_format="PNG", noise=False):
    """An image file as a browser would upload it. `noise` fills it with random pixels, which
    do not compress: a big file from a modest picture."""
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, "purple")
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{image_format}")
