"""Demo media of the dealer cases: photos and one short video, generated with ffmpeg (no binary
files in the repository), on Autohaus König's cases.

The demo cases were sent and answered by the time this runs (order 61, after the cases), and the
services accept media only while a case awaits dispatch; so the rows are written here directly —
but every file still goes through the image pipeline and the ffprobe check like an upload.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django_scopes import scope

from rentoffice.images import process_image

from .models import Attachment, Case, Medium
from .video import check_video

# ffmpeg's test sources, in colours that read as "workshop photo" placeholders.
PHOTO_SOURCES = (
    "testsrc2=size=1280x960:rate=1",
    "smptebars=size=1280x960:rate=1",
    "mandelbrot=size=1280x960:rate=1",
    "cellauto=size=1280x960:rate=1:rule=110",
)


def _ffmpeg(*args: str) -> None:
    import shutil

    subprocess.run([shutil.which("ffmpeg") or "ffmpeg", "-v", "error", "-y", *args], check=True, timeout=600)  # noqa: S603


def generate_photo(path: Path, source: str) -> None:
    _ffmpeg("-f", "lavfi", "-i", source, "-frames:v", "1", str(path))


def generate_video(path: Path, *, seconds: float = 4, size: str = "640x360", rate: int = 25) -> None:
    """A short H.264 MP4 (moov atom first, so browsers start playing at once)."""
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size={size}:rate={rate}:duration={seconds}",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        str(path),
    )


def quote_pdf(case) -> bytes:
    """A one-page quote for the case, as a dealership would attach it."""
    from django.utils.html import escape
    from weasyprint import HTML

    rows = "".join(f"<tr><td>{escape(i.title)}</td><td>{i.gross} €</td></tr>" for i in case.items.all())
    title = f"<h1>Kostenvoranschlag {escape(case.reference)}</h1><p>{escape(case.station.name)}</p>"
    return HTML(string=f"{title}<table>{rows}</table>").write_pdf()


def seed_fleetback_media(organizations, stdout) -> None:
    for slug, count in (("koenig", 12), ("nord", 2)):
        _seed_org(organizations[slug], count, stdout)


def _seed_org(org, count: int, stdout) -> None:
    with scope(organization=org):
        cases = list(Case.objects.filter(organization=org).order_by("number")[:count])
        if not cases or Medium.objects.filter(case__in=cases).exists():
            return
        with tempfile.TemporaryDirectory(prefix="fbdemo-") as folder:
            photos = []
            for index, source in enumerate(PHOTO_SOURCES):
                path = Path(folder) / f"photo{index}.png"
                generate_photo(path, source)
                with path.open("rb") as handle:
                    photos.append(process_image(File(handle, name=f"Foto {index + 1}.png")))
            video_path = Path(folder) / "video.mp4"
            generate_video(video_path)
            with video_path.open("rb") as handle:
                video = check_video(File(handle, name="Rundgang.mp4"))
                content = handle.read() if handle.seek(0) == 0 else b""
            for number, case in enumerate(cases):
                for position in range(2 + number % 3):
                    photo = photos[(number + position) % len(photos)]
                    medium = Medium(
                        organization=org,
                        case=case,
                        kind=Medium.Kind.PHOTO,
                        position=position,
                        is_public=position != 3,
                        original_name=photo.original_name,
                    )
                    medium.file.save("photo.jpg", photo.content_file(), save=False)
                    medium.poster.save("thumb.jpg", photo.thumbnail_file(), save=False)
                    medium.save()
                if number % 4 == 0:
                    medium = Medium(
                        organization=org,
                        case=case,
                        kind=Medium.Kind.VIDEO,
                        position=10,
                        duration_seconds=video.seconds,
                        original_name=video.original_name,
                    )
                    medium.file.save(f"video{video.extension}", ContentFile(content), save=False)
                    medium.poster.save("poster.jpg", video.poster.content_file(), save=False)
                    medium.save()
                if number % 2 == 0:
                    document = quote_pdf(case)
                    attachment = Attachment(
                        organization=org,
                        case=case,
                        name=f"Kostenvoranschlag {case.reference}.pdf",
                        content_type="application/pdf",
                        size=len(document),
                    )
                    attachment.file.save("attachment.pdf", ContentFile(document), save=False)
                    attachment.save()
    stdout.write(f"  dealer case media: photos and a video on {len(cases)} cases of {org.name}\n")
