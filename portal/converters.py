"""Path converters: only the characters the value can hold match (an id only digits that fit a bigint), so a
stray byte (NUL, `/`, `%`) is a 404 from the URL resolver, never a database error."""

from __future__ import annotations

from django.urls import register_converter

ID_REGEX = r"[0-9]{1,18}"


class TokenConverter:
    """A URL-safe random token (secrets.token_urlsafe)."""

    regex = r"[A-Za-z0-9_-]{16,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class IdConverter:
    """A primary key: digits that fit a 64-bit integer (18 of them always do). A longer number is a 404 from the
    URL resolver instead of an OverflowError from the database driver (SQLite and psycopg both refuse it)."""

    regex = ID_REGEX

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(TokenConverter, "token")
register_converter(IdConverter, "id")
