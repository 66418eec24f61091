from django.urls import path

from .views import board, tariffs

app_name = "contracts"

urlpatterns = [
    # Tariffs, price calculator and rental settings (pricing).
    path("tariffs/", tariffs.tariff_list, name="tariff_list"),
    path("tariffs/new/", tariffs.tariff_create, name="tariff_create"),
    path("tariffs/settings/", tariffs.rental_settings, name="rental_settings"),
    path("tariffs/<int:pk>/", tariffs.tariff_edit, name="tariff_edit"),
    path("tariffs/<int:pk>/calculate/", tariffs.tariff_calculate, name="tariff_calculate"),
    path("tariffs/<int:pk>/active/", tariffs.tariff_active, name="tariff_active"),
    # Planning board (board).
    path("board/", board.board, name="board"),
    path("board/move/", board.board_move, name="board_move"),
]
