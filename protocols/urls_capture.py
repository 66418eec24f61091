"""URLs of the check-out / check-in flow and the protocol page (included by protocols/urls.py).

Every route takes ids only (the register of a step is a query parameter), so the outsider walker
(tests/test_outsiders.py) can fill and check each of them; file routes name their model
("protocol-photos", not "photos"), so the walker tries photo ids there, not protocol ids.
"""

from django.urls import path

from .views import capture, files

urlpatterns = [
    path("contract/<int:pk>/check-out/", capture.start, {"kind": "check_out"}, name="start_check_out"),
    path("contract/<int:pk>/check-in/", capture.start, {"kind": "check_in"}, name="start_check_in"),
    path("<int:pk>/", capture.detail, name="detail"),
    path("<int:pk>/capture/", capture.step, name="capture"),
    path("<int:pk>/photos/", capture.photo_add, name="photo_add"),
    path("<int:pk>/damages/", capture.damage_add, name="damage_add"),
    path("<int:pk>/damages/<int:finding_pk>/remove/", capture.damage_remove, name="damage_remove"),
    path("<int:pk>/sign/customer/", capture.signature_save, {"role": "customer"}, name="sign_customer"),
    path("<int:pk>/sign/staff/", capture.signature_save, {"role": "staff"}, name="sign_staff"),
    path("<int:pk>/submit/", capture.submit, name="submit"),
    path("<int:pk>/discard/", capture.discard, name="discard"),
    path("protocol-photos/<int:pk>/", files.photo, {"variant": "full"}, name="photo"),
    path("protocol-photos/<int:pk>/thumb/", files.photo, {"variant": "thumb"}, name="photo_thumb"),
    path("protocol-photos/<int:pk>/delete/", capture.photo_delete, name="photo_delete"),
    path("protocol-signatures/<int:pk>/", files.signature, name="signature"),
]
