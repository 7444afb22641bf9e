from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def private_media(settings, tmp_path) -> Path:
    """A storage of its own per test, so that its ktp/ folder holds only what the test wrote."""
    root = tmp_path / "private"
    settings.PRIVATE_MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root}},
    }
    return root
