"""Two agents press *Daftarkan* for the same NIK at the same moment: one record, one clear answer."""

import threading

import pytest
from django.db import connection

from enrollment.insurer import registration_messages
from enrollment.models import Farmer
from enrollment.services import NikAlreadyRegistered, Registration, farmer_register
from tests.conftest import registration_fields


@pytest.mark.django_db(transaction=True)
def test_two_agents_saving_the_same_nik_at_once_get_one_record(agent_user, neighbour_agent_user):
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def register(user):
        try:
            fields = registration_fields(user.agent.villages.first())
            barrier.wait()
            farmer_register(user=user, registration=Registration(fields=fields))
            outcomes.append("saved")
        except NikAlreadyRegistered:
            outcomes.append("already registered")
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(u,)) for u in (agent_user, neighbour_agent_user)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes) == ["already registered", "saved"]
    assert Farmer.objects.count() == 1
    assert registration_messages(Farmer.objects.get()).count() == 1
