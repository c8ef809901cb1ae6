"""Response compression: brotli when the client accepts it, else gzip, for text responses.

Never compressed:
  - responses that already carry a Content-Encoding (WhiteNoise's pre-compressed static files,
    page-cache hits, which hold ready-made brotli/gzip bytes), or ask for `no-transform`;
  - streaming and tiny responses;
  - BREACH: responses for which a CSRF token was produced. Compression plus a secret in the
    page plus attacker-controlled input reflected next to it lets an observer of compressed
    sizes recover the secret byte by byte. Django masks the token differently on every
    request, which already defeats the attack on the token itself, but such pages belong to
    signed-in users and carry their data too, so we leave them uncompressed; anonymous pages,
    which carry no token by design (see CONVENTIONS.md), are the bulk of the traffic and are
    compressed.
"""

import zlib

import brotli
from django.conf import settings
from django.utils.cache import patch_vary_headers

COMPRESSIBLE_TYPES = frozenset(
    {
        "text/html",
        "text/plain",
        "text/css",
        "text/csv",
        "text/javascript",
        "text/xml",
        "application/javascript",
        "application/json",
        "application/ld+json",
        "application/xml",
        "application/manifest+json",
        "image/svg+xml",
    }
)
MIN_SIZE = 200


def negotiate(accept_encoding: str) -> str | None:
    """'br', 'gzip' or None, honouring q=0 refusals."""
    if not accept_encoding:
        return None
    accepted = set()
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.strip().partition(";")
        if "q=" in params:
            try:
                if float(params.split("q=", 1)[1].split(";")[0]) <= 0:
                    continue
            except ValueError:
                continue
        accepted.add(coding.strip())
    if "br" in accepted:
        return "br"
    if "gzip" in accepted or "*" in accepted:
        return "gzip"
    return None


def compress(body: bytes, encoding: str, *, best: bool = False) -> bytes:
    """`best` trades CPU for size, for bytes compressed once and served many times."""
    if encoding == "br":
        quality = (
            settings.COMPRESSION_BROTLI_QUALITY_CACHED
            if best
            else settings.COMPRESSION_BROTLI_QUALITY
        )
        return brotli.compress(body, quality=quality, mode=brotli.MODE_TEXT)
    compressor = zlib.compressobj(9 if best else settings.COMPRESSION_GZIP_LEVEL, zlib.DEFLATED, 31)
    return compressor.compress(body) + compressor.flush()


def is_compressible_type(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() in COMPRESSIBLE_TYPES


def csrf_token_produced(request, response) -> bool:
    """Whether this response may contain a CSRF token (see BREACH above)."""
    return "CSRF_COOKIE_NEEDS_UPDATE" in request.META or (
        settings.CSRF_COOKIE_NAME in response.cookies
    )


# Set by the page cache on requests it answers itself: it stores and serves ready-made
# compressed variants, so compressing here would only be undone (and cost CPU).
DEFERRED = "eventmate.compression_deferred"


def compress_response(request, response):
    """Compress `response` in place if it should be (see the module docstring)."""
    if (
        response.streaming
        or response.has_header("Content-Encoding")
        or not is_compressible_type(response.get("Content-Type", ""))
        or "no-transform" in response.get("Cache-Control", "")
    ):
        return response
    patch_vary_headers(response, ("Accept-Encoding",))
    if len(response.content) < MIN_SIZE or csrf_token_produced(request, response):
        return response
    encoding = negotiate(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    if encoding is None:
        return response
    compressed = compress(response.content, encoding)
    if len(compressed) >= len(response.content):
        return response
    response.content = compressed
    response["Content-Length"] = str(len(compressed))
    response["Content-Encoding"] = encoding
    etag = response.get("ETag")
    if etag and etag.startswith('"'):
        # A strong ETag names exact bytes; these bytes differ, so it can only be weak now.
        response["ETag"] = "W/" + etag
    return response


class CompressionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.META.get(DEFERRED):
            return response
        return compress_response(request, response)
