"""Artwork for the demo data, drawn locally with Pillow (no downloads, no bundled photos).

Event artwork is a colour gradient with one of several soft patterns on top; city artwork is
a sky with a skyline silhouette. Both are pure functions of their key, so the same key always
gives the same bytes and an existing file can be reused instead of drawn again.
"""

import io
import math
import random

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFilter

SIZE = (1200, 675)  # 16:9, what the event cards and the detail page crop to
# Patterns are drawn at half size and scaled up: four times fewer pixels to draw and blur,
# and the upscale softens edges, which suits the look.
DRAW_SCALE = 2

# (from, to, accent) per palette; palette i goes with category i (see events.Category).
PALETTES: tuple[tuple[tuple[int, int, int], ...], ...] = (
    ((48, 16, 107), (214, 51, 132), (255, 196, 92)),  # music: violet → magenta, gold
    ((6, 78, 59), (16, 185, 129), (236, 252, 203)),  # sports: deep green → emerald
    ((127, 29, 29), (251, 146, 60), (254, 243, 199)),  # arts: crimson → orange
    ((120, 53, 15), (245, 158, 11), (255, 237, 213)),  # food & drink: brown → amber
    ((15, 23, 42), (59, 130, 246), (191, 219, 254)),  # business: navy → blue
    ((2, 44, 34), (8, 145, 178), (165, 243, 252)),  # technology: dark teal → cyan
    ((76, 29, 149), (45, 212, 191), (240, 253, 250)),  # wellness: purple → aqua
    ((234, 88, 12), (250, 204, 21), (255, 255, 255)),  # family: orange → yellow
    ((190, 24, 93), (99, 102, 241), (253, 224, 71)),  # comedy: pink → indigo
    ((22, 101, 52), (132, 204, 22), (254, 249, 195)),  # community: green → lime
    ((30, 58, 138), (147, 51, 234), (224, 231, 255)),  # education: blue → purple
    ((17, 24, 39), (236, 72, 153), (56, 189, 248)),  # nightlife: near-black → pink, cyan
)

PATTERNS = ("bokeh", "waves", "rings", "stripes", "halftone", "blobs")

SKIES: tuple[tuple[tuple[int, int, int], tuple[int, int, int]], ...] = (
    ((30, 27, 75), (251, 146, 60)),  # dusk
    ((12, 74, 110), (125, 211, 252)),  # clear day
    ((49, 46, 129), (244, 114, 182)),  # sunset
    ((15, 23, 42), (71, 85, 105)),  # night
    ((124, 45, 18), (253, 186, 116)),  # golden hour
)


def _gradient(size, start, end, angle: float) -> Image.Image:
    mask = Image.linear_gradient("L").rotate(angle, resample=Image.BICUBIC, expand=True)
    side = mask.size[0]
    inset = side // 4  # crop the rotated square's corners, which are empty
    mask = mask.crop((inset, inset, side - inset, side - inset)).resize(size, Image.BICUBIC)
    return Image.composite(Image.new("RGB", size, end), Image.new("RGB", size, start), mask)


def _pattern_layer(pattern: str, size, accent, rng: random.Random) -> Image.Image:
    width, height = size
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    white = (255, 255, 255)
    if pattern == "bokeh":
        for _ in range(28):
            radius = rng.randint(12, 70)
            x, y = rng.randint(0, width), rng.randint(0, height)
            colour = accent if rng.random() < 0.6 else white
            draw.ellipse(
                (x - radius, y - radius, x + radius, y + radius),
                fill=(*colour, rng.randint(35, 110)),
            )
        return layer.filter(ImageFilter.GaussianBlur(4))
    if pattern == "waves":
        for band in range(6):
            base = height * (0.35 + band * 0.12)
            amplitude = rng.uniform(10, 30)
            phase = rng.uniform(0, math.tau)
            wavelength = rng.uniform(0.8, 1.6) * width
            points = [
                (x, base + amplitude * math.sin(phase + math.tau * x / wavelength))
                for x in range(0, width + 10, 10)
            ]
            colour = accent if band % 2 else white
            draw.polygon([*points, (width, height), (0, height)], fill=(*colour, 28))
        return layer
    if pattern == "rings":
        cx, cy = rng.randint(width // 2, width), rng.randint(0, height)
        for step in range(1, 22):
            r = step * 26
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(*accent, 70), width=3)
        return layer.filter(ImageFilter.GaussianBlur(1))
    if pattern == "stripes":
        gap = rng.randint(34, 60)
        for offset in range(-height, width + height, gap):
            draw.polygon(
                [
                    (offset, 0),
                    (offset + gap // 2, 0),
                    (offset + gap // 2 + height, height),
                    (offset + height, height),
                ],
                fill=(*white, 22),
            )
        return layer
    if pattern == "halftone":
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        reach = math.hypot(width, height)
        for y in range(0, height + 14, 14):
            for x in range(0, width + 14, 14):
                r = 5.5 * (1 - math.hypot(x - cx, y - cy) / reach)
                if r > 0.8:
                    draw.ellipse((x - r, y - r, x + r, y + r), fill=(*accent, 90))
        return layer
    # blobs: a soft "mesh gradient"
    for _ in range(5):
        radius = rng.randint(height // 3, height // 2 + 60)
        x, y = rng.randint(0, width), rng.randint(0, height)
        colour = accent if rng.random() < 0.5 else white
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(*colour, 90))
    return layer.filter(ImageFilter.GaussianBlur(40))


def _to_jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, optimize=True, progressive=True)
    return buffer.getvalue()


def event_artwork(index: int) -> bytes:
    """Artwork number `index` as JPEG bytes; its palette is PALETTES[index % 12]."""
    rng = random.Random(f"event-artwork-{index}")
    start, end, accent = PALETTES[index % len(PALETTES)]
    small = (SIZE[0] // DRAW_SCALE, SIZE[1] // DRAW_SCALE)
    image = _gradient(small, start, end, rng.uniform(0, 360)).convert("RGBA")
    pattern = PATTERNS[(index // len(PALETTES) + index) % len(PATTERNS)]
    image.alpha_composite(_pattern_layer(pattern, small, accent, rng))
    return _to_jpeg(image.convert("RGB").resize(SIZE, Image.BICUBIC))


def city_artwork(key: str) -> bytes:
    """A skyline at some time of day, as JPEG bytes; different keys give different skylines."""
    rng = random.Random(f"city-artwork-{key}")
    width, height = SIZE[0] // DRAW_SCALE, SIZE[1] // DRAW_SCALE
    top, bottom = SKIES[rng.randrange(len(SKIES))]
    image = _gradient((width, height), top, bottom, 0).convert("RGBA")
    glow = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    sun_x, sun_y, sun_r = rng.randint(60, width - 60), rng.randint(60, height // 2), 34
    ImageDraw.Draw(glow).ellipse(
        (sun_x - sun_r, sun_y - sun_r, sun_x + sun_r, sun_y + sun_r), fill=(255, 236, 200, 200)
    )
    image.alpha_composite(glow.filter(ImageFilter.GaussianBlur(10)))
    # Three rows of buildings, the nearest darkest, with lit windows on the nearest row.
    for row, (shade, alpha) in enumerate(((70, 110), (40, 170), (12, 255))):
        layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        x = -rng.randint(0, 30)
        floor = height - row * 8
        while x < width:
            w = rng.randint(18, 48)
            h = rng.randint(height // 6, int(height * (0.35 + 0.12 * (2 - row))))
            draw.rectangle((x, floor - h, x + w, height), fill=(shade, shade, shade + 12, alpha))
            if rng.random() < 0.15:  # a spire
                draw.rectangle(
                    (x + w // 2 - 1, floor - h - 22, x + w // 2 + 1, floor - h),
                    fill=(shade, shade, shade + 12, alpha),
                )
            if row == 2:
                for wy in range(floor - h + 6, height - 6, 9):
                    for wx in range(x + 4, x + w - 4, 7):
                        if rng.random() < 0.3:
                            draw.rectangle((wx, wy, wx + 2, wy + 3), fill=(255, 214, 128, 210))
            x += w + rng.randint(0, 6)
        image.alpha_composite(layer)
    return _to_jpeg(image.convert("RGB").resize(SIZE, Image.BICUBIC))


def store_once(name: str, render) -> str:
    """Save `render()` under `name` in the default storage unless a file is already there;
    return the stored name. Rendering is deterministic, so an existing file is the same
    picture and is reused (repeat seeds and --flush skip the drawing)."""
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(render()))
