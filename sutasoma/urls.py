from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "SUTASOMA — administrasi"
admin.site.site_title = "SUTASOMA"

urlpatterns = [
    path("", include("monitoring.urls")),
    path("", include("accounts.urls")),
    path("petani/", include("enrollment.urls")),
    path("iuran/", include("contributions.urls")),
    path("klaim/", include("claims.urls")),
    path("audit/", include("audit.urls")),
    path("admin/", admin.site.urls),
]
