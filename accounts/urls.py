from __future__ import annotations

from django.urls import path

from accounts import views

urlpatterns = [
    path("kata-sandi/", views.SutasomaPasswordChangeView.as_view(), name="password_change"),
    path("kata-sandi/selesai/", views.SutasomaPasswordChangeDoneView.as_view(), name="password_change_done"),
]
