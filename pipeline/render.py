"""Rendering a handoff document as Markdown and self-contained HTML.

HTML is autoescaped: transcripts are text from outside and may contain markup.
Links to the calls carry a media fragment (`#t=seconds`) so a browser's player
starts at the quote.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from models import HandoffDocument


def mmss(seconds: float) -> str:
    seconds = int(seconds or 0)
    return f"{seconds // 3600:d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60:02d}:{seconds % 60:02d}"


def md_text(value: object) -> str:
    """Text from a transcript, safe in Markdown: viewers that render inline HTML
    must show `<script>` as text, and brackets must not open links."""
    return (str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("[", "\\[").replace("]", "\\]"))


def attribute_line(attributes: dict) -> str:
    """Filled attributes as one line; scores used internally are left out."""
    return " · ".join(f"{k}: {v}" for k, v in attributes.items()
                      if v not in (None, "", False) and not k.endswith("similarity"))


def _env() -> Environment:
    env = Environment(loader=PackageLoader("pipeline", "templates"),
                      autoescape=select_autoescape(["html", "j2.html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["mmss"] = mmss
    env.filters["attrs"] = attribute_line
    env.filters["md"] = md_text
    return env


def safe_name(deal_id: str) -> str:
    """A file name from a CRM id: no path separators, nothing outside [A-Za-z0-9._-]."""
    return re.sub(r"[^\w.-]", "_", deal_id).lstrip(".") or "deal"


def render(doc: HandoffDocument, out_dir: Path, call_paths: dict[str, str]) -> tuple[Path, Path]:
    """Write `<deal>.md` and `<deal>.html` into `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    # Relative, percent-encoded links: spaces, '#' or '?' in a file name must not break them.
    links = {rid: quote(os.path.relpath(Path(p).resolve(), out_dir.resolve()))
             for rid, p in call_paths.items()}
    env = _env()
    stem = safe_name(doc.deal.deal_id)
    md = out_dir / f"{stem}.md"
    html = out_dir / f"{stem}.html"
    md.write_text(env.get_template("handoff.md.j2").render(doc=doc, links=links), encoding="utf-8")
    html.write_text(env.get_template("handoff.j2.html").render(doc=doc, links=links), encoding="utf-8")
    return md, html
