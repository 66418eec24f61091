"""Test media made on the spot: photos with Pillow, videos with ffmpeg (tiny frames, few per
second, so even a six-minute video takes well under a second), documents by hand."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from functools import cache
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def photo(name: str = "photo.png", size=(64, 48), colour=(200, 30, 30)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@cache
def _video_bytes(seconds: float, codec: str, container: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"v.{container}"
        subprocess.run(
            [
                shutil.which("ffmpeg"),
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                f"testsrc2=size=64x48:rate=2:duration={seconds}",
                "-c:v",
                codec,
                *(["-preset", "ultrafast", "-pix_fmt", "yuv420p"] if codec == "libx264" else []),
                *(["-deadline", "realtime", "-cpu-used", "8"] if codec.startswith("libvpx") else []),
                str(path),
            ],
            check=True,
            timeout=60,
        )
        return path.read_bytes()


def video(seconds: float = 3, *, codec: str = "libx264", container: str = "mp4", name: str = "") -> SimpleUploadedFile:
    content = _video_bytes(seconds, codec, container)
    return SimpleUploadedFile(name or f"clip.{container}", content, content_type=f"video/{container}")


def pdf(name: str = "Angebot.pdf", padding: int = 0) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n" + b"%" * padding + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def docx(name: str = "Angebot.docx") -> SimpleUploadedFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")
