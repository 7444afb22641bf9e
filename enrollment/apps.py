from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = "Kepesertaan"

    def ready(self) -> None:
        from bpjs_gateway.registry import register
        from enrollment.insurer import REGISTRATION

        register(REGISTRATION)
