"""`handoff review`: the AE's review as a local web app (FastAPI, server-rendered pages).

Thin layer over `pipeline.review`: each form posts one action, the server
applies it and redirects back to the deal page, which is drafted afresh (so the
completeness score follows the AE's work). Safety, because transcripts are
confidential and hold text from outside:
- every value is autoescaped by Jinja; no external asset is loaded (works offline);
- every POST carries a CSRF token that must match the per-browser cookie
  (double submit), and a cross-site Origin is refused;
- audio is served only for a recording id stored in the database, from the
  path stored with it (no file path ever comes from the request);
- bound to a non-loopback address, every request needs the token from
  settings (`review_token`), given once as `?token=` (kept in a cookie) or
  as `Authorization: Bearer`.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from pathlib import Path
from urllib.parse import quote, urlparse

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from models import ItemKind
from pipeline import review
from pipeline.draft import REQUIRED
from pipeline.render import attribute_line, mmss
from pipeline.settings import Settings
from pipeline.store import Store

CSRF_COOKIE = "handoff_csrf"
TOKEN_COOKIE = "handoff_token"
TEMPLATES = Path(__file__).parent / "templates" / "web"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(settings: Settings, host: str = "127.0.0.1") -> FastAPI:
    """The review app over the settings' database. Refuses a non-loopback host without a token."""
    token = settings.review_token
    if not is_loopback(host) and not token:
        raise ValueError(f"binding to {host} exposes confidential calls: set review_token "
                         "(HANDOFF_REVIEW_TOKEN) first, or stay on 127.0.0.1")
    store = Store(settings.database, settings.write_retries)
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.filters["mmss"] = mmss
    templates.env.filters["attrs"] = attribute_line
    templates.env.globals.update(EDITABLE=review.EDITABLE, CHOICES=review.CHOICES, BOOLEANS=review.BOOLEANS,
                                 KINDS=[k.value for k in ItemKind], quote=quote)
    app = FastAPI(title="handoff review", docs_url=None, redoc_url=None, openapi_url=None)

    def reviewer(request: Request) -> str:
        return (request.headers.get("x-reviewer") or settings.reviewer or "ae").strip()[:80]

    @app.middleware("http")
    async def guard(request: Request, call_next) -> Response:
        if token:
            given = request.query_params.get("token") or request.cookies.get(TOKEN_COOKIE) or \
                request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not given or not hmac.compare_digest(given, token):
                return PlainTextResponse("a review token is required", status_code=401)
        if request.method == "POST":
            origin = request.headers.get("origin")
            if origin and origin != "null" and urlparse(origin).netloc != request.headers.get("host"):
                return PlainTextResponse("cross-site request refused", status_code=403)
            # The CSRF token itself is checked where the form is read (`checked_form`): a body
            # read here would not reach the endpoint.
        response = await call_next(request)
        if CSRF_COOKIE not in request.cookies:
            response.set_cookie(CSRF_COOKIE, request.state.csrf if hasattr(request.state, "csrf")
                                else secrets.token_urlsafe(32), httponly=True, samesite="strict")
        if token and request.query_params.get("token"):
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; "
            "media-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def page(request: Request, name: str, **context) -> HTMLResponse:
        csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        request.state.csrf = csrf  # the cookie set on this response carries the same value
        return templates.TemplateResponse(request, name, {"csrf": csrf, "reviewer": reviewer(request),
                                                          "error": request.query_params.get("error"),
                                                          **context})

    async def checked_form(request: Request) -> dict[str, str]:
        """The posted form, if its CSRF token matches this browser's cookie (double submit)."""
        form = {k: str(v) for k, v in (await request.form()).items()}
        cookie = request.cookies.get(CSRF_COOKIE, "")
        if not cookie or not hmac.compare_digest(form.get("csrf", ""), cookie):
            raise HTTPException(403, "missing or wrong CSRF token: reload the page")
        return form

    def back(deal_id: str, anchor: str = "", error: str = "") -> RedirectResponse:
        url = f"/deals/{quote(deal_id, safe='')}"
        if error:
            url += f"?error={quote(error)}"
        return RedirectResponse(url + (f"#{anchor}" if anchor else ""), status_code=303)

    @app.get("/", response_class=HTMLResponse)
    def deals(request: Request, ae: str = "", status: str = "") -> HTMLResponse:
        rows = store.deal_overview()
        aes = sorted({r["ae_name"] for r in rows if r["ae_name"]})
        shown = [r for r in rows if (not ae or r["ae_name"] == ae) and (not status or r["status"] == status)]
        return page(request, "deals.html", deals=shown, aes=aes, ae=ae, status=status)

    @app.get("/deals/{deal_id}", response_class=HTMLResponse)
    def deal(request: Request, deal_id: str) -> HTMLResponse:
        try:
            state = review.open_deal(store, deal_id, settings)
        except review.ReviewError as exc:
            return PlainTextResponse(f"not found: {exc}", status_code=404)  # text: the id came from the URL
        return page(request, "deal.html", r=state, doc=state.doc, questions=store.questions(deal_id),
                    required=REQUIRED, answer_as_item=review.ANSWER_AS_ITEM)

    async def act(request: Request, deal_id: str, item_id: str | None, fn) -> RedirectResponse:
        form = await checked_form(request)
        try:
            state = review.open_deal(store, deal_id, settings)
            fn(state, form)
        except review.ReviewError as exc:
            return back(deal_id, f"item-{item_id}" if item_id else "", str(exc))
        nxt = form.get("next") or (f"item-{item_id}" if item_id else "")
        return back(deal_id, nxt)

    @app.post("/deals/{deal_id}/items/{item_id}/confirm")
    async def confirm_item(request: Request, deal_id: str, item_id: str) -> RedirectResponse:
        who = reviewer(request)
        return await act(request, deal_id, item_id,
                         lambda s, f: review.confirm_item(store, settings, s, item_id, who))

    @app.post("/deals/{deal_id}/items/{item_id}/reject")
    async def reject_item(request: Request, deal_id: str, item_id: str) -> RedirectResponse:
        who = reviewer(request)
        return await act(request, deal_id, item_id,
                         lambda s, f: review.reject_item(store, settings, s, item_id, f.get("reason", ""), who))

    @app.post("/deals/{deal_id}/items/{item_id}/edit")
    async def edit_item(request: Request, deal_id: str, item_id: str) -> RedirectResponse:
        who = reviewer(request)
        return await act(request, deal_id, item_id,
                         lambda s, f: review.edit_item(store, settings, s, item_id, f.get("text", ""), f, who))

    @app.post("/deals/{deal_id}/items")
    async def add_item(request: Request, deal_id: str) -> RedirectResponse:
        who = reviewer(request)
        return await act(request, deal_id, None,
                         lambda s, f: review.add_item(store, settings, s, f.get("kind", ""), f.get("text", ""),
                                                      f, who))

    @app.post("/deals/{deal_id}/missing/{field_name}")
    async def resolve(request: Request, deal_id: str, field_name: str) -> RedirectResponse:
        who = reviewer(request)
        return await act(request, deal_id, None,
                         lambda s, f: review.resolve_missing(store, settings, s, field_name,
                                                             f.get("resolution", "answer"), f.get("text", ""), who))

    @app.post("/deals/{deal_id}/confirm")
    async def confirm_document(request: Request, deal_id: str) -> RedirectResponse:
        await checked_form(request)
        try:
            review.confirm_document(store, settings, deal_id, reviewer(request))
        except review.ReviewError as exc:
            return back(deal_id, "missing", str(exc))
        return back(deal_id)

    @app.post("/deals/{deal_id}/questions")
    async def ask(request: Request, deal_id: str) -> RedirectResponse:
        form = await checked_form(request)
        try:
            store.ask(deal_id, str(form.get("question", "")), reviewer(request), str(form.get("item") or "") or None)
        except ValueError as exc:
            return back(deal_id, "questions", str(exc))
        return back(deal_id, "questions")

    @app.get("/deals/{deal_id}/export.{fmt}")
    def export(deal_id: str, fmt: str) -> Response:
        frozen = store.frozen_document(deal_id)
        if frozen is None or fmt not in ("md", "html"):
            return PlainTextResponse("only a confirmed handoff is exported, as .md or .html", status_code=404)
        paths = store.document_paths(deal_id)
        path = Path(paths[0] if fmt == "md" else paths[1])
        if not path.is_file():
            return PlainTextResponse("the exported file is gone; it is re-made on confirmation", status_code=404)
        return FileResponse(path, media_type="text/markdown" if fmt == "md" else "text/html",
                            filename=path.name)

    @app.get("/calls/{recording_id}", response_class=HTMLResponse)
    def call(request: Request, recording_id: str, t: float = 0.0, item: str = "") -> HTMLResponse:
        found = store.call(recording_id)
        if found is None:
            return HTMLResponse("no such call", status_code=404)
        evidence = store.call_evidence(recording_id)
        spans = [(e["start_s"], e["end_s"]) for e in evidence]
        focus = next((e for e in evidence if e["item_id"] == item), None)
        for s in found["segments"]:
            s["evidence"] = any(a <= s["end"] and s["start"] <= b for a, b in spans)
            s["focus"] = bool(focus) and focus["start_s"] <= s["end"] and s["start"] <= focus["end_s"]
        return page(request, "call.html", call=found, t=t, evidence=evidence, focus=focus)

    @app.get("/audio/{recording_id}")
    def audio(recording_id: str) -> Response:
        found = store.call(recording_id)
        if found is None or found["kind"] != "audio" or not Path(found["path"]).is_file():
            return PlainTextResponse("no audio for this call", status_code=404)
        return FileResponse(found["path"])  # Starlette answers Range requests: the player can seek

    return app
