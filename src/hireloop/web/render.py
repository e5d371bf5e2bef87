"""Jinja2 templates for pages; kinds may ship their own answer widget (``Kind.web_template``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from hireloop import __version__

TEMPLATES = Path(__file__).parent / "templates"
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def markdown(text: str | None) -> Markup:
    """Markdown to HTML with raw HTML disabled (exercise prompts, notes)."""
    return Markup(_md.render(text or ""))  # noqa: S704 - markdown-it escapes, html disabled


_LEADING_TITLE = re.compile(r"\A\s*#[ \t]+[^\n]*(\n|\Z)")


def prompt(text: str | None) -> Markup:
    """An exercise's prompt under the page's own heading for it: a first-level heading that
    opens the prompt is left out, so each exercise shows one heading, not two."""
    return markdown(_LEADING_TITLE.sub("", text or "", count=1))


_STAMP = re.compile(r"\[(\d{1,3}):(\d{2}(?:\.\d+)?)\]")


def timestamps(text: str | None, answer_id: int) -> Markup:
    """Evidence with ``[m:ss]`` moments as buttons that play the recording from there."""
    def button(match: re.Match[str]) -> str:
        seconds = int(match.group(1)) * 60 + float(match.group(2))
        return (f'<button type="button" class="ts" data-answer="{int(answer_id)}" '
                f'data-t="{seconds:.2f}">{match.group(0)}</button>')

    return Markup(_STAMP.sub(button, str(escape(text or ""))))  # noqa: S704 - escaped first


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def make_env(kind_dirs: list[Path]) -> Environment:
    loaders: list[Any] = [FileSystemLoader(str(TEMPLATES))]
    loaders += [FileSystemLoader(str(d)) for d in kind_dirs]
    env = Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["markdown"] = markdown
    env.filters["prompt"] = prompt
    env.filters["percent"] = percent
    env.filters["timestamps"] = timestamps
    env.globals["version"] = __version__
    return env


def page(request: Request, template: str, status_code: int = 200,
         **context: Any) -> HTMLResponse:
    """Render a page with what every page needs (principal, CSRF token)."""
    from hireloop.web.deps import csrf_token, get_principal

    if getattr(request.state, "principal", None) is None:
        with request.app.state.platform.db.sessions() as session:
            try:
                get_principal(request, session)
            except Exception:  # an unknown bearer token: the page is anonymous
                request.state.principal = None
    env: Environment = request.app.state.jinja
    csrf = csrf_token(request)
    principal = getattr(request.state, "principal", None)
    html = env.get_template(template).render(request=request, csrf=csrf, me=principal, **context)
    return HTMLResponse(html, status_code=status_code)
