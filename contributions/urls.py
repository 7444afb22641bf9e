from django.urls import path

from contributions import cash_views

app_name = "contributions"
urlpatterns: list = [
    path("kas/", cash_views.cash_overview, name="cash_overview"),
    path("kas/<str:code>/setor/", cash_views.deposit_new, name="deposit_new"),
]
