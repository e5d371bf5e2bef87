"""The web app: FastAPI, server-rendered pages (Jinja2 + htmx) and a JSON API (OpenAPI)."""

from hireloop.web.app import create_app

__all__ = ["create_app"]
