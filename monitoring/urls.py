from django.urls import path

from monitoring import card_views, export_views, monev_views, note_views, target_views, trend_views, views

app_name = "monitoring"
urlpatterns = [
    path("", views.home, name="home"),
    path("gateway/", views.gateway_health, name="gateway_health"),
    path("gateway/<int:pk>/kirim-ulang/", views.outbox_resend, name="outbox_resend"),
    path("monev/", monev_views.dashboard, name="dashboard"),
    path("monev/tren/", trend_views.trends, name="trends"),
    path("monev/catatan/", note_views.notes, name="notes"),
    path("monev/target/", target_views.targets, name="targets"),
    path("monev/laporan/", export_views.reports, name="reports"),
    path("monev/laporan/<int:pk>/", export_views.export_status, name="export_status"),
    path("monev/laporan/<int:pk>/unduh/", export_views.export_download, name="export_download"),
    path("monev/kartu/<int:pk>/", card_views.participant_card, name="participant_card"),
    path("cek/<str:token>/", card_views.card_verify, name="card_verify"),
]
