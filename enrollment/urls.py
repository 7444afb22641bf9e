from django.urls import path

from enrollment import views

urlpatterns = [
    path("", views.farmer_list, name="farmer_list"),
    path("daftar/", views.farmer_register, name="farmer_register"),
    path("cek-nik/", views.nik_check, name="nik_check"),
    path("<int:pk>/", views.farmer_detail, name="farmer_detail"),
    path("<int:pk>/ktp/", views.farmer_ktp, name="farmer_ktp"),
]
