from django.urls import path

from bpjs_gateway import views

urlpatterns = [
    path("", views.gateway_health, name="gateway_health"),
    path("<int:pk>/kirim-ulang/", views.outbox_resend, name="outbox_resend"),
]
