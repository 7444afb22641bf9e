from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.lockout import CONTROL_CHARACTERS

INVALID_LOGIN = "Nama pengguna atau kata sandi salah. Perhatikan huruf besar dan kecil."

# Longer than any account's username (AbstractUser: 150), and longer than django-axes'
# 255-character column: such a name is refused before it reaches authenticate().
LOGIN_NAME_MAX_LENGTH = 150


def validate_login_name(value: str) -> None:
    """A name no account can have gets the same answer as a wrong password, and no lookup."""
    if len(value) > LOGIN_NAME_MAX_LENGTH or CONTROL_CHARACTERS.search(value):
        raise ValidationError(INVALID_LOGIN, code="invalid_login")


class LoginForm(AuthenticationForm):
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": INVALID_LOGIN}

    def __init__(self, request: HttpRequest | None = None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        # Ours replaces Django's NUL check: one message, whatever is odd about the name.
        self.fields["username"].validators = [validate_login_name]
