"""HTML views, one module per area. portal/urls.py points its error handlers at the two below."""

from .errors import not_found, server_error

__all__ = ["not_found", "server_error"]
