"""The key a signed-in session's form drafts are sealed with on the phone.

A draft of a form (static/js/field.js) sits in the browser's localStorage, encrypted with AES-GCM
under this key. The key lives in the session only and is handed to the page that drafts, never
stored by the browser (every signed-in page is no-store). Logging out flushes the session, and an
expired session is gone too: what the phone still holds then is ciphertext no one can open, even
if the script that also deletes drafts at *Keluar* never ran (a session that simply expired).
"""

from __future__ import annotations

import base64
import secrets

from django.http import HttpRequest

SESSION_KEY = "draft_key"
KEY_BYTES = 32  # AES-256


def draft_key(request: HttpRequest) -> str:
    """This session's draft key (base64), made on first use."""
    key = request.session.get(SESSION_KEY)
    if not key:
        key = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")
        request.session[SESSION_KEY] = key
    return key
