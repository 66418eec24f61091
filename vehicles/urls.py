app_name = "vehicles"
urlpatterns = []
