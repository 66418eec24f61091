#!/usr/bin/env python
"""Dealer-case media: what an upload costs the server, without the network or the database.

    .venv/bin/python bench/fleetback_media.py            # median of 5 rounds each

- photo: a 12-megapixel phone JPEG through the image pipeline (type check, decode, re-encode,
  thumbnail);
- video: the content check of a 30-second 1280×720 H.264 MP4 (ffprobe + the poster frame with
  ffmpeg + the poster through the pipeline), and of a 5-minute 640×360 one at 10 fps (the per-video limit);
- drawing: 20 shapes painted on the 12-megapixel photo, encoded with its thumbnail;
- zip: 50 photos of ~3 MB streamed into the case's zip (stored, not compressed).
"""

from __future__ import annotations

import functools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
print = functools.partial(print, flush=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentoffice.settings.dev")
ROUNDS = 5


def median_ms(run, rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    import django

    django.setup()
    from django.core.files import File
    from django.core.files.base import ContentFile

    from fleetback import drawing
    from fleetback.demo_media import generate_video
    from fleetback.video import check_video
    from rentoffice.images import process_image

    folder = Path(tempfile.mkdtemp(prefix="fbbench-"))
    photo_path = folder / "photo.jpg"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=4000x3000:rate=1",
            "-frames:v",
            "1",
            "-q:v",
            "3",
            str(photo_path),
        ],
        check=True,
    )
    photo = photo_path.read_bytes()
    print(f"photo: {len(photo) / 1e6:.1f} MB, 12 MP")
    print(f"  image pipeline        {median_ms(lambda: process_image(ContentFile(photo, name='p.jpg'))):8.0f} ms")

    for seconds, size, rate in ((30, "1280x720", 25), (300, "640x360", 10)):
        path = folder / f"video{seconds}.mp4"
        generate_video(path, seconds=seconds, size=size, rate=rate)

        def check(path=path):
            with path.open("rb") as handle:
                check_video(File(handle, name=path.name))

        megabytes = path.stat().st_size / 1e6
        print(f"  video check {seconds:3d} s {size} ({megabytes:.1f} MB) {median_ms(check):6.0f} ms")

    shapes = [
        drawing.Shape(
            "rect" if i % 3 == 0 else "circle" if i % 3 == 1 else "pen",
            "#e53935",
            0.006,
            tuple((0.1 + i * 0.02, 0.1 + j * 0.03) for j in range(2 if i % 3 < 2 else 200)),
        )
        for i in range(20)
    ]
    clean = process_image(ContentFile(photo, name="p.jpg")).content

    def draw():
        drawing.render(clean, shapes)

    print(f"  drawing (20 shapes)   {median_ms(draw):8.0f} ms")

    from django.conf import settings

    from fleetback.archive import media_zip
    from fleetback.models import Medium

    settings.MEDIA_ROOT = str(folder)  # before the storage is first used
    media = []
    for index in range(50):
        (folder / f"z{index}.jpg").write_bytes(os.urandom(3_000_000))
        medium = Medium(pk=index + 1, kind=Medium.Kind.PHOTO, position=index)
        medium.file.name = f"z{index}.jpg"
        media.append(medium)

    def zip_all():
        media_zip(media).close()

    print(f"  zip of 50 × 3 MB      {median_ms(zip_all):8.0f} ms")
    with open("/proc/loadavg") as handle:
        print(f"load average: {handle.read().split()[:3]}")


if __name__ == "__main__":
    main()
