from django.urls import path

from contributions import visit_views

app_name = "contributions"
urlpatterns = [
    path("kunjungan/", visit_views.visit_list, name="visit_list"),
]
