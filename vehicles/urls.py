from django.urls import path

from .views import condition, damages, groups, media, vehicles

app_name = "vehicles"
urlpatterns = [
    path("", vehicles.vehicle_list, name="list"),
    path("new/", vehicles.vehicle_create, name="create"),
    path("<int:pk>/", vehicles.vehicle_detail, name="detail"),
    path("<int:pk>/edit/", vehicles.vehicle_edit, name="edit"),
    path("<int:pk>/retire/", vehicles.vehicle_retire, name="retire"),
    path("<int:pk>/reactivate/", vehicles.vehicle_reactivate, name="reactivate"),
    path("<int:pk>/km/", vehicles.km_reading_add, name="km_add"),
    path("<int:pk>/km/history/", vehicles.vehicle_km_history, name="km_history"),
    path("<int:pk>/photos/", vehicles.vehicle_photos_add, name="photos_add"),
    path("<int:pk>/condition/", condition.condition_record_list, name="condition_list"),
    path("<int:pk>/condition/new/", condition.condition_record_create, name="condition_create"),
    path("<int:pk>/damages/new/", damages.damage_create, name="damage_create"),
    path("condition/<int:pk>/", condition.condition_record_detail, name="condition_detail"),
    path("condition/<int:pk>/photos/", condition.condition_photos_add, name="condition_photos_add"),
    path("damages/<int:pk>/", damages.damage_detail, name="damage_detail"),
    path("damages/<int:pk>/edit/", damages.damage_edit, name="damage_edit"),
    path("damages/<int:pk>/status/", damages.damage_status, name="damage_status"),
    path("damages/<int:pk>/photos/", damages.damage_photos_add, name="damage_photos_add"),
    path("groups/", groups.group_list, name="group_list"),
    path("groups/new/", groups.group_create, name="group_create"),
    path("groups/<int:pk>/", groups.group_edit, name="group_edit"),
    path("groups/<int:pk>/delete/", groups.group_delete, name="group_delete"),
    path("groups/<int:pk>/photo/", groups.group_photo, {"variant": "full"}, name="group_photo"),
    path("groups/<int:pk>/photo/thumb/", groups.group_photo, {"variant": "thumb"}, name="group_photo_thumb"),
]
# One URL name per photo kind and size, so every route takes only ids (see templatetags/fleet.photo_url).
for kind in ("vehicle", "damage", "condition"):
    urlpatterns += [
        path(f"photos/{kind}/<int:pk>/", media.photo, {"kind": kind, "variant": "full"}, name=f"{kind}_photo"),
        path(
            f"photos/{kind}/<int:pk>/thumb/",
            media.photo,
            {"kind": kind, "variant": "thumb"},
            name=f"{kind}_photo_thumb",
        ),
        path(f"photos/{kind}/<int:pk>/delete/", media.photo_delete, {"kind": kind}, name=f"{kind}_photo_delete"),
    ]
