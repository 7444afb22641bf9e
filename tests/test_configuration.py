"""The ways the project is started outside the test settings."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(args, env):
    # Without what the test settings put into this process's environment.
    ours = {
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
