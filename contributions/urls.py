from django.urls import path

from contributions import batch_views, payer_views

app_name = "contributions"
urlpatterns: list = [
    path("pembayar/", payer_views.payer_list, name="payer_list"),
    path("pembayar/baru/", payer_views.payer_new, name="payer_new"),
    path("pembayar/<int:pk>/", payer_views.payer_edit, name="payer_edit"),
    path("kolektif/", batch_views.batch_new, name="batch_new"),
    path("kolektif/<int:pk>/", batch_views.batch_detail, name="batch_detail"),
]
