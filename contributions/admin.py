from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from contributions.models import Payment, Rate


@admin.register(Rate)
class RateAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "jkk_basis_points", "jkm_amount", "jht_basis_points", "regulation"]


@admin.register(Payment)
class PaymentAdmin(SimpleHistoryAdmin):
    list_display = ["receipt_no", "farmer", "start_month", "months", "amount", "source", "status"]
    list_filter = ["status", "source"]
    search_fields = ["receipt_no", "transaction_no", "farmer__name", "farmer__kpj"]
    raw_id_fields = ["farmer", "recorded_by"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # money is corrected by a new record, never by editing history
