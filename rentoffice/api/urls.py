from django.urls import path

from . import views

app_name = "api"

org_patterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("stations/", views.StationListView.as_view(), name="stations"),
]
