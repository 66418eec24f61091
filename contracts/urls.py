from django.urls import path

from .views import board

app_name = "contracts"
urlpatterns = [
    path("board/", board.board, name="board"),
    path("board/move/", board.board_move, name="board_move"),
]
