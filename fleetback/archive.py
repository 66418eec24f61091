"""The zip of a case's media: every medium of the case, the originals of drawn-on photos included,
named by their place in the case's order so the files sort as the case shows them."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import PurePosixPath

from .models import Medium


def _suffix(medium: Medium) -> str:
    return PurePosixPath(medium.file.name).suffix.lower() or ".bin"


def media_zip_names(media: list[Medium]) -> list[tuple[Medium, str]]:
    by_pk = {m.pk: m for m in media}
    replaced = {m.original_id for m in media if m.original_id}
    named = []
    current = [m for m in media if m.pk not in replaced]
    for index, medium in enumerate(sorted(current, key=lambda m: (m.position, m.pk)), start=1):
        named.append((medium, f"{index:02d}-{medium.kind}{_suffix(medium)}"))
        step, original = 1, by_pk.get(medium.original_id)
        while original is not None:
            label = "original" if step == 1 else f"original-{step}"
            named.append((original, f"{index:02d}-{original.kind}-{label}{_suffix(original)}"))
            step, original = step + 1, by_pk.get(original.original_id)
    return named


def media_zip(media: list[Medium]):
    """A temporary file holding the zip (spooled to disk: videos make it large)."""
    # Closed by the FileResponse that streams it.
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    # Photos and videos are compressed already; storing them is as small and much faster.
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for medium, name in media_zip_names(media):
            with medium.file.open("rb") as source, archive.open(name, "w", force_zip64=True) as target:
                while chunk := source.read(1024 * 1024):
                    target.write(chunk)
    out.seek(0)
    return out
