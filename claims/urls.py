from django.urls import path

from claims import list_views

app_name = "claims"
urlpatterns = [
    path("", list_views.claim_list, name="claim_list"),
]
