from django.urls import path

from claims import list_views, views

app_name = "claims"
urlpatterns = [
    path("", list_views.claim_list, name="claim_list"),
    path("lapor/<int:farmer_pk>/", views.claim_new, name="claim_new"),
    path("<int:pk>/", views.claim_detail, name="claim_detail"),
    path("<int:pk>/dokumen/", views.document_upload, name="document_upload"),
    path("<int:pk>/dokumen/<str:kind>/", views.document_file, name="document_file"),
    path("<int:pk>/ajukan/", views.claim_submit, name="claim_submit"),
]
