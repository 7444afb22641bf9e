from django.urls import path

from contributions import batch_views, cash_views, index, payer_views, payment_views, reconciliation_views, visit_views

app_name = "contributions"
urlpatterns = [
    path("", index.contributions_index, name="index"),
    path("bayar/<int:farmer_pk>/", payment_views.payment_new, name="payment_new"),
    path("petani/<int:farmer_pk>/", payment_views.farmer_payments, name="farmer_payments"),
    path("kuitansi/<str:receipt_no>/", payment_views.receipt, name="receipt"),
    path("kuitansi/<str:receipt_no>/pdf/", payment_views.receipt_download, name="receipt_pdf"),
    path("kunjungan/", visit_views.visit_list, name="visit_list"),
    path("kas/", cash_views.cash_overview, name="cash_overview"),
    path("kas/<str:code>/setor/", cash_views.deposit_new, name="deposit_new"),
    path("rekonsiliasi/", reconciliation_views.reconciliation_list, name="reconciliation_list"),
    path("rekonsiliasi/<int:pk>/selesai/", reconciliation_views.reconciliation_resolve, name="reconciliation_resolve"),
    path("pembayar/", payer_views.payer_list, name="payer_list"),
    path("pembayar/baru/", payer_views.payer_new, name="payer_new"),
    path("pembayar/<int:pk>/", payer_views.payer_edit, name="payer_edit"),
    path("kolektif/", batch_views.batch_new, name="batch_new"),
    path("kolektif/<int:pk>/", batch_views.batch_detail, name="batch_detail"),
]
