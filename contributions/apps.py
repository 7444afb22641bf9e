from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "contributions"
    verbose_name = "Iuran"

    def ready(self) -> None:
        from bpjs_gateway.registry import register
        from contributions.insurer import PAYMENT, release_waiting_payments
        from enrollment.signals import farmers_registered

        register(PAYMENT)
        farmers_registered.connect(release_waiting_payments, dispatch_uid="contributions.release_waiting_payments")
