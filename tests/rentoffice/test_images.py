"""The image pipeline against a corpus of hostile and awkward uploads."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from rentoffice.images import ImageUploadField, process_image, protected_file_response
from tests.conftest import in_scope


def _upload(data: bytes, name: str, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _image_bytes(fmt: str, size=(320, 200), mode="RGB", color=(10, 120, 200), **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _refused(data: bytes, name: str, code: str) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        process_image(_upload(data, name))
    assert exc.value.code == code
    assert exc.value.messages[0]  # a message for the user, not a traceback
    return exc.value


def phone_jpeg_with_gps() -> bytes:
    """What a phone produces: landscape sensor data, an orientation tag and the GPS position."""
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 15"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (48.0, 8.0, 30.0), 3: "E", 4: (11.0, 34.0, 0.0)})
    return _image_bytes("JPEG", size=(400, 300), exif=exif)


def test_phone_jpeg_is_stored_without_gps_and_upright():
    processed = process_image(_upload(phone_jpeg_with_gps(), "IMG_0001.JPG"))
    stored = Image.open(io.BytesIO(processed.content))
    assert stored.format == "JPEG"
    assert stored.size == (300, 400)  # orientation applied to the pixels
    exif = stored.getexif()
    assert not exif.get_ifd(0x8825)  # no GPS
    assert len(exif) == 0  # no metadata at all
    assert b"PhoneMaker" not in processed.content
    thumb = Image.open(io.BytesIO(processed.thumbnail))
    assert max(thumb.size) <= 480 and not thumb.getexif()


@pytest.mark.django_db
@in_scope()
def test_stored_file_on_disk_has_no_gps(client_admin_a, org_a, station_a1):
    """End to end through a view and the storage: read the file that was actually written."""
    from tests.vehicles.conftest import make_vehicle
    from vehicles.models import VehicleGroup, VehiclePhoto

    group = VehicleGroup.objects.create(organization=org_a, name="G", code="G")
    vehicle = make_vehicle(org_a, station_a1, group)
    response = client_admin_a.post(
        f"/o/{org_a.slug}/vehicles/{vehicle.pk}/photos/",
        {"photos": [_upload(phone_jpeg_with_gps(), "IMG_0001.JPG")], "caption": ""},
    )
    assert response.status_code == 302
    photo = VehiclePhoto.objects.get(vehicle=vehicle)
    with photo.image.open("rb") as handle:
        data = handle.read()
    stored = Image.open(io.BytesIO(data))
    assert not stored.getexif().get_ifd(0x8825) and len(stored.getexif()) == 0
    assert b"GPS" not in data and b"Exif" not in data
    assert photo.image.name.endswith(".jpg") and "IMG_0001" not in photo.image.name


def test_png_that_is_also_html_is_refused():
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    # HTML after the end of the PNG ...
    error = _refused(_image_bytes("PNG") + html, "car.png", "active_content")
    assert "HTML" in error.messages[0]
    # ... and inside a text chunk, before the image data.
    png = _image_bytes("PNG")
    with_text = png[:33] + _png_chunk(b"tEXt", b"Comment\x00" + html) + png[33:]
    assert Image.open(io.BytesIO(with_text)).size == (320, 200)  # still a valid PNG
    _refused(with_text, "car.png", "active_content")


def test_svg_with_script_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="10" height="10"/></svg>'
    error = _refused(svg, "damage.svg", "unsupported")
    assert "JPEG" in error.messages[0]


def test_renamed_executable_is_refused():
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 50 + b"PE\x00\x00" + b"\x90" * 2000
    _refused(exe, "holiday.jpg", "unsupported")
    _refused(b"#!/bin/sh\nrm -rf /\n", "photo.png", "unsupported")


def test_decompression_bomb_is_refused():
    """A tiny PNG claiming 100,000 x 100,000 pixels (10 gigapixels) must not be decoded."""
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0))
    idat = _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
    bomb = b"\x89PNG\r\n\x1a\n" + header + idat + _png_chunk(b"IEND", b"")
    assert len(bomb) < 200
    error = _refused(bomb, "bomb.png", "too_many_pixels")
    assert "megapixel" in error.messages[0].lower()


def test_bomb_below_pillows_own_limit_is_refused_by_ours(settings):
    settings.MAX_IMAGE_PIXELS = 10_000
    _refused(_image_bytes("PNG", size=(200, 100)), "big.png", "too_many_pixels")


def test_huge_file_is_refused_with_the_limit(settings):
    settings.MAX_IMAGE_UPLOAD_SIZE = 50_000
    error = _refused(b"\xff\xd8\xff" + b"\x00" * 60_000, "huge.jpg", "too_large")
    assert "MB" in error.messages[0]


def test_size_is_checked_on_the_content_not_the_declared_size(settings):
    settings.MAX_IMAGE_UPLOAD_SIZE = 50_000
    upload = _upload(b"\xff\xd8\xff" + b"\x00" * 60_000, "liar.jpg")
    upload.size = 10  # a client may lie
    with pytest.raises(ValidationError) as exc:
        process_image(upload)
    assert exc.value.code == "too_large"


def test_truncated_image_is_refused():
    data = _image_bytes("JPEG", size=(800, 600))
    _refused(data[: len(data) // 3], "cut.jpg", "damaged")


def test_empty_file_is_refused():
    _refused(b"", "empty.jpg", "empty")


@pytest.mark.parametrize(
    ("fmt", "mode", "name"),
    [("JPEG", "RGB", "a.jpg"), ("PNG", "RGBA", "a.png"), ("WEBP", "RGB", "a.webp"), ("HEIF", "RGB", "a.heic")],
)
def test_accepted_formats_are_reencoded_as_jpeg(fmt, mode, name):
    color = (10, 120, 200, 128) if mode == "RGBA" else (10, 120, 200)
    processed = process_image(_upload(_image_bytes(fmt, mode=mode, color=color), name))
    assert processed.source_format == fmt
    assert Image.open(io.BytesIO(processed.content)).format == "JPEG"
    assert (processed.width, processed.height) == (320, 200)


def test_type_comes_from_the_content_not_the_name():
    processed = process_image(_upload(_image_bytes("PNG"), "really-a-png.jpg", content_type="text/html"))
    assert processed.source_format == "PNG"


def test_form_field_names_the_offending_file():
    field = ImageUploadField()
    good = _upload(_image_bytes("JPEG"), "good.jpg")
    bad = _upload(b"MZ" + b"\x00" * 100, "virus.jpg")
    with pytest.raises(ValidationError) as exc:
        field.clean([good, bad])
    assert exc.value.messages[0].startswith("virus.jpg: ")
    assert len(field.clean([_upload(_image_bytes("JPEG"), "x.jpg")])) == 1
    assert ImageUploadField(required=False).clean([]) == []


def test_protected_response_headers(tmp_path, settings):
    from django.core.files.storage import FileSystemStorage
    from django.db.models.fields.files import FieldFile, FileField

    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("x/photo.jpg", io.BytesIO(_image_bytes("JPEG")))
    field = FileField(storage=storage)
    field.name = "file"
    response = protected_file_response(FieldFile(None, field, name))
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"].startswith("private")


def test_truncated_image_is_refused_even_after_weasyprint_relaxed_pillow():
    import weasyprint  # noqa: F401  (sets PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True on import)
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    data = _image_bytes("JPEG", size=(800, 600))
    _refused(data[: len(data) // 3], "cut.jpg", "damaged")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # WeasyPrint keeps its setting
