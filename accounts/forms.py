from __future__ import annotations

from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
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


def minimum_password_length() -> int:
    """AUTH_PASSWORD_VALIDATORS' minimum, so the help text never drifts from the rule."""
    lengths = [
        v.min_length
        for v in password_validation.get_default_password_validators()
        if isinstance(v, password_validation.MinimumLengthValidator)
    ]
    return max(lengths, default=1)


class LoginForm(AuthenticationForm):
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": INVALID_LOGIN}

    def __init__(self, request: HttpRequest | None = None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        # Ours replaces Django's NUL check: one message, whatever is odd about the name.
        self.fields["username"].validators = [validate_login_name]


class SutasomaPasswordChangeForm(PasswordChangeForm):
    """Django's form, in the app's words, with the strength errors under the new password."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "Kata sandi lama salah. Masukkan sekali lagi.",
        "password_mismatch": "Kedua isian kata sandi baru tidak sama.",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Kata sandi lama"
        self.fields["new_password1"].label = "Kata sandi baru"
        self.fields["new_password1"].help_text = (
            f"Minimal {minimum_password_length()} karakter, tidak hanya angka, tidak mirip nama "
            "atau nama pengguna Anda, dan bukan kata sandi yang umum dipakai."
        )
        self.fields["new_password2"].label = "Ulangi kata sandi baru"
        self.fields["new_password2"].help_text = ""

    def clean(self) -> dict:
        # Django checks the strength on the confirmation field; people read the error where
        # they typed the new password, so it goes there.
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return super(SetPasswordForm, self).clean()
