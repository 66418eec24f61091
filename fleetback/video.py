"""Videos of dealer cases, checked by their content with ffprobe before anything is stored.

An upload is untrusted: its name and the browser's content type say nothing. The first bytes
decide which demuxer may read it (ISO/QuickTime `ftyp` → mov/mp4, EBML → Matroska/WebM); ffprobe
is then forced to that demuxer and to local files only, so a playlist or a file referring to other
files is never followed. Only the containers and codecs a browser plays are accepted. The poster
frame is cut with ffmpeg and goes through the image pipeline like any photo.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from rentoffice.images import ProcessedImage, process_image

# (demuxer forced on ffprobe/ffmpeg, accepted video codecs, accepted audio codecs)
_ISO = ("mov", {"h264", "hevc", "av1"}, {"aac", "mp3", "alac"})
_MATROSKA = ("matroska", {"vp8", "vp9", "av1", "h264"}, {"opus", "vorbis", "aac"})
_TIMEOUT = 60
_CHUNK = 1024 * 1024


def max_video_size() -> int:
    return getattr(settings, "FLEETBACK_MAX_VIDEO_SIZE", 300 * 1024 * 1024)


@dataclass(frozen=True)
class CheckedVideo:
    """A video that passed the content check: the upload itself plus what ffprobe found."""

    upload: File
    extension: str
    content_type: str
    codec: str
    duration: float
    width: int
    height: int
    poster: ProcessedImage
    original_name: str

    @property
    def seconds(self) -> int:
        return max(1, round(self.duration))


def looks_like_video(head: bytes) -> bool:
    return _family(head) is not None


def _family(head: bytes):
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _ISO
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return _MATROSKA
    return None


def _unsupported() -> ValidationError:
    return ValidationError(
        _(
            "This file is not a supported video. Please upload an MP4, MOV or WebM video (H.264, HEVC, VP8, VP9 or AV1)."
        ),
        code="unsupported_video",
    )


def _damaged() -> ValidationError:
    return ValidationError(_("The video is damaged or incomplete and cannot be played."), code="damaged_video")


def _copy_to(upload, handle, limit: int) -> int:
    upload.seek(0)
    written = 0
    while chunk := upload.read(_CHUNK):
        written += len(chunk)
        if written > limit:
            raise ValidationError(
                _("The video is too large. Videos may be at most %(size)s MB.") % {"size": limit // 1024 // 1024},
                code="too_large",
            )
        handle.write(chunk)
    handle.flush()
    return written


def _run(tool: str, *args: str) -> subprocess.CompletedProcess:
    """Run ffprobe/ffmpeg on our own temporary file with fixed arguments (no shell); a hang counts
    as a damaged video."""
    executable = shutil.which(tool)
    if executable is None:  # pragma: no cover - an installation fault, not bad input
        raise RuntimeError(f"{tool} is not installed (scripts/os-deps.sh)")
    try:
        return subprocess.run([executable, *args], capture_output=True, timeout=_TIMEOUT, check=False)  # noqa: S603
    except subprocess.TimeoutExpired as exc:
        raise _damaged() from exc


def _probe(path: Path, demuxer: str) -> dict:
    result = _run(
        "ffprobe",
        "-v",
        "error",
        "-protocol_whitelist",
        "file",
        "-f",
        demuxer,
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        str(path),
    )
    if result.returncode != 0:
        raise _damaged()
    try:
        return json.loads(result.stdout or b"{}")
    except ValueError as exc:
        raise _damaged() from exc


def _poster(path: Path, demuxer: str, duration: float) -> ProcessedImage:
    at = min(1.0, duration / 2)
    result = _run(
        "ffmpeg",
        "-v",
        "error",
        "-nostdin",
        "-protocol_whitelist",
        "file,pipe",
        "-ss",
        f"{at:.2f}",
        "-f",
        demuxer,
        "-i",
        str(path),
        "-frames:v",
        "1",
        "-vf",
        "scale='min(1280,iw)':-2",
        "-f",
        "image2",
        "-c:v",
        "png",
        "pipe:1",
    )
    if result.returncode != 0 or not result.stdout:
        raise _damaged()
    return process_image(ContentFile(result.stdout, name="poster.png"))


def check_video(upload: File) -> CheckedVideo:
    """The video's facts and poster frame, or a ValidationError with a message for the user."""
    upload.seek(0)
    family = _family(upload.read(16))
    if family is None:
        raise _unsupported()
    demuxer, video_codecs, audio_codecs = family
    with tempfile.TemporaryDirectory(prefix="fbvideo-") as folder:
        path = Path(folder) / "upload"
        with path.open("wb") as handle:
            if _copy_to(upload, handle, max_video_size()) == 0:
                raise ValidationError(_("The file is empty."), code="empty")
        info = _probe(path, demuxer)
        streams = info.get("streams") or []
        videos = [
            s for s in streams if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
        ]
        audios = [s for s in streams if s.get("codec_type") == "audio"]
        if len(videos) != 1 or videos[0].get("codec_name") not in video_codecs:
            raise _unsupported()
        if any(a.get("codec_name") not in audio_codecs for a in audios):
            raise _unsupported()
        try:
            duration = float(info.get("format", {}).get("duration") or videos[0].get("duration") or 0)
        except (TypeError, ValueError):
            duration = 0
        width, height = int(videos[0].get("width") or 0), int(videos[0].get("height") or 0)
        if duration <= 0 or width <= 0 or height <= 0:
            raise _damaged()
        poster = _poster(path, demuxer, duration)
    brand = _brand(upload)
    if demuxer == "matroska":
        extension, content_type = ".webm", "video/webm"
    elif brand == b"qt  ":
        extension, content_type = ".mov", "video/quicktime"
    else:
        extension, content_type = ".mp4", "video/mp4"
    return CheckedVideo(
        upload=upload,
        extension=extension,
        content_type=content_type,
        codec=videos[0]["codec_name"],
        duration=duration,
        width=width,
        height=height,
        poster=poster,
        original_name=PurePosixPath(getattr(upload, "name", "") or "").name[:200],
    )


def _brand(upload) -> bytes:
    upload.seek(8)
    brand = upload.read(4)
    upload.seek(0)
    return brand
