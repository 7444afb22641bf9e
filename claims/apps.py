from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Klaim"

    def ready(self) -> None:
        from bpjs_gateway.registry import register
        from claims.insurer import CLAIM, DOCUMENT

        register(CLAIM)
        register(DOCUMENT)
