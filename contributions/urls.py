from django.urls import path

from contributions import reconciliation_views

app_name = "contributions"
urlpatterns: list = [
    path("rekonsiliasi/", reconciliation_views.reconciliation_list, name="reconciliation_list"),
    path("rekonsiliasi/<int:pk>/selesai/", reconciliation_views.reconciliation_resolve, name="reconciliation_resolve"),
]
