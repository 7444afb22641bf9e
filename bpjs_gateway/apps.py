from django.apps import AppConfig


class BpjsGatewayConfig(AppConfig):
    name = "bpjs_gateway"
    verbose_name = "Gateway BPJS"
