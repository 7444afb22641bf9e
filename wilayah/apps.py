from django.apps import AppConfig


class WilayahConfig(AppConfig):
    name = "wilayah"
    verbose_name = "Wilayah dan BPP"
