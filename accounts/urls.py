from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.SutasomaLoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("akun/kata-sandi/", views.SutasomaPasswordChangeView.as_view(), name="password_change"),
    path("akun/kata-sandi/selesai/", views.SutasomaPasswordChangeDoneView.as_view(), name="password_change_done"),
]
