from django.urls import path

from enrollment import views

app_name = "enrollment"
urlpatterns = [
    path("", views.farmer_list, name="farmer_list"),
    path("daftar/", views.farmer_register, name="farmer_register"),
    path("daftar/ktp/<uuid:token>/", views.kept_ktp_file, name="kept_ktp"),
    path("cek-nik/", views.nik_check, name="nik_check"),
    path("baca-ktp/", views.ktp_read, name="ktp_read"),
    path("impor/", views.farmer_import, name="farmer_import"),
    path("impor/<int:pk>/", views.import_status, name="import_status"),
    path("impor/contoh.csv", views.farmer_import_template, name="farmer_import_template"),
    path("<int:pk>/", views.farmer_detail, name="farmer_detail"),
    path("<int:pk>/ktp/", views.farmer_ktp, name="farmer_ktp"),
    path("<int:pk>/perbaiki/", views.farmer_correct, name="farmer_correct"),
]
