from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views

admin.site.site_header = "SUTASOMA — administrasi"
admin.site.site_title = "SUTASOMA"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("masuk/", account_views.SutasomaLoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("akun/", include("accounts.urls")),
    path("petani/", include("enrollment.urls")),
    path("gateway/", include("bpjs_gateway.urls")),
    path("audit/", include("audit.urls")),
    path("admin/", admin.site.urls),
]
