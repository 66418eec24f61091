from django.urls import path

from .views import blocks, board, contracts, editing, tariffs

app_name = "contracts"

urlpatterns = [
    path("", contracts.contract_list, name="list"),
    path("new/", contracts.customer_pick, name="book"),
    path("new/customer/<int:pk>/", contracts.contract_book, name="book_customer"),
    path("new/vehicles/", contracts.available_vehicles, name="available_vehicles"),
    path("<int:pk>/", contracts.contract_detail, name="detail"),
    path("<int:pk>/period/", editing.period_change, name="period"),
    path("<int:pk>/vehicle/", editing.vehicle_swap, name="vehicle_swap"),
    path("<int:pk>/vehicle/remove/", editing.vehicle_remove, name="vehicle_remove"),
    path("<int:pk>/tariff/", editing.tariff_change, name="tariff"),
    path("<int:pk>/price/", editing.price_reload, name="price_reload"),
    path("<int:pk>/cancel/", editing.cancel, name="cancel"),
    path("<int:pk>/notes/", editing.note_add, name="note_add"),
    path("<int:pk>/drivers/", editing.driver_add, name="driver_add"),
    path("drivers/<int:pk>/remove/", editing.driver_remove, name="driver_remove"),
    path("<int:pk>/check-out/", editing.check_out, name="check_out"),
    path("<int:pk>/check-in/", editing.check_in, name="check_in"),
    path("vehicles/<int:pk>/block/", blocks.block_create, name="block_create"),
    path("blocks/<int:pk>/delete/", blocks.block_delete, name="block_delete"),
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
