import json

from django.core.management import call_command


def test_gateway_status_prints_outbox_counts_as_json(agent_user, make_farmer, capsys):
    make_farmer(agent_user)
    call_command("gateway_status", "--json")
    status = json.loads(capsys.readouterr().out)
    assert status["outbox"] == {"WAITING": 0, "PENDING": 1, "SENDING": 0, "DONE": 0, "FAILED": 0, "RESENT": 0}
    assert status["oldest_pending_seconds"] >= 0
