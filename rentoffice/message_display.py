"""What staff see of a stored message: its parts with access links and tokens masked.

A stored message is the message as it went out, so its text can carry live secrets (portal
set-password links, staff invitation and password-reset links). Staff read it to answer "what did
the customer get?", never to use such a link, so every URL is masked where it carries a secret:
path arguments named like a secret in our own URL configuration (`token`, `uidb64`, ...), query
values named like one, and any path segment or value that looks like a token (long, letters and
digits), which also covers other sites' links. The stored row itself is left as sent.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from django.urls import Resolver404, resolve

MASK = "••••••"
SECRET_NAMES = {"token", "uidb64", "uid", "key", "code", "secret", "signature", "sig", "otp"}
URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
# 20+ characters of URL-safe text with both letters and digits: what generated tokens look like,
# unlike words, slugs or numbers.
TOKEN_LIKE = re.compile(r"^(?=[^/]*\d)(?=[^/]*[A-Za-z])[A-Za-z0-9_\-.~%:=]{20,}$")
QUERY_SEPARATOR = re.compile(r"(&amp;|&|;)")


def mask_secrets(text: str) -> str:
    """The text (plain or HTML) with every secret part of every link replaced by a mask."""
    return URL.sub(lambda m: _mask_url(m.group(0)), text or "")


def _mask_url(url: str) -> str:
    trailing = ""
    while url and url[-1] in ".,;:!?)]":  # sentence punctuation after a link is not part of it
        trailing = url[-1] + trailing
        url = url[:-1]
    match = re.match(r"(https?://[^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$", url, re.IGNORECASE)
    if match is None:
        return url + trailing
    base, path, query, fragment = match.group(1), match.group(2), match.group(3) or "", match.group(4) or ""
    secret_values = set()
    try:
        found = resolve(unquote(path) or "/")
    except Resolver404:
        pass
    else:
        secret_values = {str(v) for k, v in found.kwargs.items() if k.lower() in SECRET_NAMES}
    segments = [
        MASK if segment and (unquote(segment) in secret_values or TOKEN_LIKE.match(segment)) else segment
        for segment in path.split("/")
    ]
    if query:
        parts = []
        for part in QUERY_SEPARATOR.split(query[1:]):
            name, equals, value = part.partition("=")
            if value and (name.lower() in SECRET_NAMES or TOKEN_LIKE.match(value)):
                value = MASK
            parts.append(name + equals + value)
        query = "?" + "".join(parts)
    if fragment and TOKEN_LIKE.match(fragment[1:]):
        fragment = "#" + MASK
    return base + "/".join(segments) + query + fragment + trailing
