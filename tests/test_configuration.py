"""The ways the project is started outside the test settings."""

import datetime
import os
import runpy
import secrets
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(args, env):
    # Without what the test settings (and the browser tests' live server) put into this
    # process's environment.
    ours = {
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "SECRET_KEY",
        "DEBUG",
        "DJANGO_SETTINGS_MODULE",
        "HTTPS",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "STATICFILES_STORAGE",
        "PRIVATE_MEDIA_ROOT",
    }
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(args, cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120)


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run([sys.executable, "manage.py", "check"], {"DJANGO_SETTINGS_MODULE": "sutasoma.settings"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_are_safe_by_default():
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.LANGUAGE_CODE, s.TIME_ZONE, bool(s.SECURE_CSP))"
    )
    result = run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        {"DJANGO_SETTINGS_MODULE": "sutasoma.settings", "SECRET_KEY": "x" * 50},
    )
    assert result.stdout.split() == ["False", "True", "True", "True", "id", "Asia/Makassar", "True"], result.stderr


def test_a_bad_boolean_in_the_environment_fails_loudly():
    result = run(
        [sys.executable, "manage.py", "check"],
        {"DJANGO_SETTINGS_MODULE": "sutasoma.settings", "SECRET_KEY": "x" * 50, "DEBUG": "maybe"},
    )
    assert result.returncode != 0 and "DEBUG must be a boolean" in result.stderr


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="Debian's docker-compose is installed by .ci/run")
def test_docker_compose_file_parses():
    result = run(["docker-compose", "config", "-q"], {"SECRET_KEY": "x" * 50, "BPJS_H2H_SECRET": "y" * 20})
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="Debian's docker-compose is installed by .ci/run")
def test_docker_compose_demands_the_secrets():
    result = run(["docker-compose", "config", "-q"], {})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def production_settings(code, **env):
    result = run(
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings as s; {code}"],
        {"DJANGO_SETTINGS_MODULE": "sutasoma.settings", "SECRET_KEY": "x" * 50, **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_hsts_is_on_for_a_year_exactly_when_https_is_on():
    hsts = "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    assert production_settings(hsts) == ["31536000", "False", "False"]  # HTTPS is on unless DEBUG
    assert production_settings(hsts, HTTPS="1") == ["31536000", "False", "False"]
    assert production_settings(hsts, HTTPS="0") == ["0", "False", "False"]
    assert production_settings(hsts, HTTPS="1", SECURE_HSTS_SECONDS="600", SECURE_HSTS_INCLUDE_SUBDOMAINS="1") == [
        "600",
        "True",
        "False",
    ]


def test_check_deploy_finds_nothing_to_warn_about_in_production_settings():
    env = {
        "DJANGO_SETTINGS_MODULE": "sutasoma.settings",
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "sutasoma.example",
        "DATABASE_URL": os.environ["DATABASE_URL"],
    }
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_access_log_never_carries_a_query_string_or_referrer(capsys):
    # gunicorn's own logger, fed the configuration file as `gunicorn -c gunicorn.conf.py` reads it.
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    config = Config()
    for name, value in runpy.run_path(str(ROOT / "gunicorn.conf.py")).items():
        if name in config.settings:
            config.set(name, value)
    assert config.accesslog == "-"
    nik = "7312044101900001"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/petani/?q={nik}",
        "PATH_INFO": "/petani/",
        "QUERY_STRING": f"q={nik}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.1.2.3",
        "HTTP_REFERER": f"https://sutasoma.example/petani/?q={nik}",
        "HTTP_USER_AGENT": "uji",
    }
    response = types.SimpleNamespace(status="200 OK", sent=1234, headers=[("Content-Type", "text/html")])
    request = types.SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    Logger(config).access(response, request, environ, datetime.timedelta(seconds=0.25))
    line = capsys.readouterr().out
    assert '"GET /petani/ HTTP/1.1" 200 1234 0.250000' in line
    assert nik not in line


def test_make_run_points_the_gateway_at_the_port_it_starts_the_sandbox_on():
    env = {k: v for k, v in os.environ.items() if k not in ("BPJS_H2H_BASE_URL", "SANDBOX_PORT")}
    env["SANDBOX_PORT"] = "8800"
    dry_run = subprocess.run(["make", "-n", "run"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    start = next(line for line in dry_run.stdout.splitlines() if line.endswith(".venv/bin/honcho start"))
    # The environment honcho hands to web, worker and beat, as the shell expands `make run`'s line.
    given = subprocess.run(
        ["bash", "-c", start.removesuffix(".venv/bin/honcho start") + "env"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    sandbox = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("sandbox:"))
    # The sandbox's command line, expanded by the shell in the same environment.
    argv = subprocess.run(
        ["bash", "-c", 'printf "%s\\n" ' + sandbox.removeprefix("sandbox:")],
        env={**env, **dict(line.split("=", 1) for line in given if "=" in line)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()

    assert "BPJS_H2H_BASE_URL=http://127.0.0.1:8800" in given
    assert argv[argv.index("--port") + 1] == "8800"
