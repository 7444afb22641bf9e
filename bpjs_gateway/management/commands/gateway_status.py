import json

from django.core.management.base import BaseCommand

from bpjs_gateway.health import gateway_health_summary


class Command(BaseCommand):
    help = "Jumlah antrean BPJS per status (untuk skrip: --json)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, as_json=False, **options):
        health = gateway_health_summary()
        status = {
            "outbox": health.counts,
            "oldest_pending_seconds": int(health.oldest_pending_age.total_seconds())
            if health.oldest_pending_age
            else None,
            "last_success": health.last_success.isoformat() if health.last_success else None,
            "failures_24h": {f"{f['outcome']}:{f['error_code']}": f["n"] for f in health.failures_by_code},
        }
        if as_json:
            self.stdout.write(json.dumps(status, sort_keys=True))
        else:
            for state, count in status["outbox"].items():
                self.stdout.write(f"{state:8} {count}")
