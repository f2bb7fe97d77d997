app_name = "programme_toolkit"

urlpatterns: list = []
