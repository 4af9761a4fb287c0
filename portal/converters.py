"""Path converters for segments that are not integers: only the characters the value can hold match, so a
stray byte (NUL, `/`, `%`) is a 404 from the URL resolver, never a database error."""

from __future__ import annotations

from django.urls import register_converter


class TokenConverter:
    """A URL-safe random token (secrets.token_urlsafe)."""

    regex = r"[A-Za-z0-9_-]{16,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "token")
