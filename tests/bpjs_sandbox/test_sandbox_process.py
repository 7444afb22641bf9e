"""The sandbox as a program: persistence and credentials."""

from __future__ import annotations

import os

SOPPENG_FARMER = {
    "nik": "7312014501900001",
    "no_kk": "7312010101900001",
    "nama": "HASNAH",
    "tempat_lahir": "SOPPENG",
    "tanggal_lahir": "1990-01-05",
    "jenis_kelamin": "P",
    "alamat": "JL. POROS WATANSOPPENG",
    "kode_wilayah": "7312011001",
    "pekerjaan": "PETANI",
    "penghasilan": 1_000_000,
    "program": ["JKK", "JKM"],
}


def without_credentials() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if not name.startswith("BPJS_H2H_")}


def test_state_survives_a_restart(spawn_sandbox, signed_client, tmp_path):
    db = tmp_path / "persistent.sqlite3"
    first = spawn_sandbox(db)
    registered = signed_client(first).post("/peserta", SOPPENG_FARMER, key="sekali-saja")
    kpj = registered.json()["response"]["kpj"]
    first.stop()

    second = spawn_sandbox(db)
    client = signed_client(second)

    assert client.get(f"/peserta/{kpj}").json()["response"]["nama"] == "HASNAH"
    replay = client.post("/peserta", SOPPENG_FARMER, key="sekali-saja")
    assert replay.headers["X-Idempotent-Replay"] == "true"
    assert replay.content == registered.content
    assert second.stats()["peserta"] == 1


def test_it_falls_back_to_the_sandbox_credentials_with_a_warning(spawn_sandbox, signed_client):
    sandbox = spawn_sandbox(extra_args=[], env=without_credentials())

    assert "warning" in sandbox.log()
    assert signed_client(sandbox, "SOPPENG01", "sandbox-secret").get("/peserta/12345678901").status_code == 404


def test_it_reads_the_credentials_from_the_environment(spawn_sandbox, signed_client):
    env = without_credentials() | {"BPJS_H2H_CONS_ID": "ENVCONS01", "BPJS_H2H_SECRET": "env-secret"}
    sandbox = spawn_sandbox(extra_args=[], env=env)

    assert "warning" not in sandbox.log()
    assert signed_client(sandbox, "ENVCONS01", "env-secret").get("/peserta/12345678901").status_code == 404
