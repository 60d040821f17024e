"""The web application: the SPARQL endpoint, the linked-data pages and the explorer, as one Starlette app."""

import asyncio
import hashlib
import html.parser
import logging
import os
import threading
from base64 import b64encode
from contextlib import asynccontextmanager
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlencode

import jinja2
import pyoxigraph as ox
import yaml
from anyio import to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from tvetkg import sparql_text
from tvetkg.catalogue import bind_values, column_headings
from tvetkg.errors import QueryFailed, TvetKgError
from tvetkg.serve import protocol, resources
from tvetkg.serve.answer import GRAPH_FORMATS, Task
from tvetkg.serve.negotiate import best, best_language
from tvetkg.serve.site import Site

LANGS = ("en", "ar", "fr")
HTML = "text/html"
RDF_OFFERS = [HTML, *GRAPH_FORMATS]
DUMP_EXTENSIONS = {"text/turtle": "ttl", "application/n-triples": "nt", "application/ld+json": "jsonld",
                   "application/rdf+xml": "rdf"}
HOME_CLASSES = (("activities", "Activity"), ("organisations", "Organisation"), ("people", "Person"),
                ("sources", "SourceDocument"))
# Every response: no script, style or frame from anywhere but here, and no sniffing of types.
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
          "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin")]
log = logging.getLogger("tvetkg.serve")


@lru_cache(maxsize=1)
def words() -> dict:
    return yaml.safe_load(files("tvetkg.serve").joinpath("words.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("tvetkg.serve", "templates"),
                              autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


def _lang(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get("lang")
    if asked in LANGS:
        return asked
    return best_language(request.headers.get("accept-language"), list(LANGS)) or "en"


def _page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    lang = _lang(request)
    others = {k: v for k, v in request.query_params.items() if k != "lang"}
    # relative to the page itself: a path such as //host/x must not become a link to another host
    switch = {code: "?" + urlencode({**others, "lang": code}) for code in LANGS}
    text = _templates().get_template(template).render(
        lang=lang, dir="rtl" if lang == "ar" else "ltr", w=words()[lang], switch=switch, path=request.url.path,
        **context)
    response = HTMLResponse(text, status_code=status, headers={"Vary": "Accept, Accept-Language, Cookie"})
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


def _error(request: Request, error: QueryFailed | TvetKgError, status: int | None = None) -> Response:
    status = status or getattr(error, "status", 500)
    headers = {}
    if getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    wants_html = best(request.headers.get("accept"), ["text/plain", HTML]) == HTML
    if wants_html and not request.url.path.startswith("/sparql"):
        response = _page(request, "error.html", status=status, status_code=status, message=str(error))
        response.headers.update(headers)
        return response
    return PlainTextResponse(str(error) + "\n", status_code=status, headers=headers)


async def _body(request: Request, limit: int, seconds: float) -> bytes:
    """The request body, refused (413) past `limit` bytes, whether or not it says its length."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise QueryFailed(413, f"the request body is {int(declared):,} bytes; the limit is {limit:,}")
    parts, size = [], 0

    async def read():
        nonlocal size
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise QueryFailed(413, f"the request body is larger than {limit:,} bytes, the limit")
            parts.append(chunk)

    try:
        await asyncio.wait_for(read(), seconds)
    except asyncio.TimeoutError:
        raise QueryFailed(408, f"the request body did not arrive within {seconds:g} s") from None
    except ClientDisconnect:
        raise QueryFailed(499, "the client went away") from None
    return b"".join(parts)


async def _gone(request: Request) -> None:
    """Returns when the client has closed the connection."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


def _client(request: Request) -> tuple:
    return (request.client.host if request.client else "", request.headers.get("user-agent", ""))


async def _answer(request: Request, site: Site, task: Task):
    """Admit the query, run it on a query worker, and stop it if its client goes away."""
    gone = asyncio.ensure_future(_gone(request))
    try:
        entering = asyncio.ensure_future(site.admission.enter(_client(request)))
        await asyncio.wait({entering, gone}, return_when=asyncio.FIRST_COMPLETED)
        if not entering.done():
            entering.cancel()
            await asyncio.gather(entering, return_exceptions=True)
            raise QueryFailed(499, "the client went away while its query waited")
        ticket = entering.result()
        abandoned = threading.Event()
        try:
            running = asyncio.get_running_loop().run_in_executor(site.executor, site.pool.run, task, abandoned)
            await asyncio.wait({running, gone}, return_when=asyncio.FIRST_COMPLETED)
            if not running.done():
                abandoned.set()
            return await running
        finally:
            site.admission.leave(ticket)
    finally:
        gone.cancel()


async def sparql_endpoint(request: Request) -> Response:
    site: Site = request.app.state.site
    limits = site.limits
    try:
        body = await _body(request, limits.max_body, limits.body_seconds) if request.method == "POST" else b""
        params: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            params.setdefault(key, []).append(value)
        if request.method == "GET" and "query" not in params and "update" not in params:
            if best(request.headers.get("accept"), ["text/turtle", HTML]) == HTML:
                return RedirectResponse("/query", status_code=303)
        query = protocol.read(request.method, request.headers.get("content-type", ""), params, body)
        try:
            screened = sparql_text.screen(query.sparql, max_depth=limits.max_depth, max_tokens=limits.max_tokens)
        except QueryFailed:
            protocol.refuse_update(sparql_text.screen(query.sparql, allow_service=True, max_depth=1 << 30,
                                                      max_tokens=1 << 30))
            raise
        protocol.refuse_update(screened)
        answer = await _answer(request, site, protocol.task(query, request.headers.get("accept")))
    except QueryFailed as error:
        if error.status == 499:
            return Response(status_code=499)
        return _error(request, error)
    charset = "; charset=utf-8" if not answer.media_type.endswith("json") else ""
    return Response(answer.body, media_type=answer.media_type + charset,
                    headers={"Vary": "Accept", "X-Result-Rows": str(answer.rows)})


def _counts(site: Site) -> dict:
    queries = resources.queries()
    per_class = {r["class"]["value"]: int(r["entities"]["value"])
                 for r in site.rows(queries["stats/entities-per-class"].bind({}))}
    counts = {key: per_class.get(resources.TVET + name, 0) for key, name in HOME_CLASSES}
    counts["statements"] = int(site.rows(resources.sparql("statements"))[0]["statements"]["value"])
    involved = site.rows(resources.sparql("countries-involved"))
    counts["countries"] = int(involved[0]["countries"]["value"]) if involved else 0
    return counts


async def home(request: Request) -> Response:
    site: Site = request.app.state.site
    lang = _lang(request)
    try:
        counts = await site.in_pages(_counts, site)
        areas = await site.in_pages(site.rows, resources.queries()["coverage-by-area"].bind({"lang": lang}))
        dist = await to_thread.run_sync(site.dist)
    except QueryFailed as error:
        return _error(request, error)
    downloads = sorted(p.name for p in dist.iterdir() if p.is_file())
    areas = [{k: v["value"] for k, v in row.items()} for row in areas]
    return _page(request, "home.html", counts=counts, areas=areas,
                 downloads=downloads, queries=_catalogue_list(lang))


def _catalogue_list(lang: str) -> list[dict]:
    headings = column_headings(lang)
    return [{"name": q.name, "summary": q.summary_in(lang), "description": q.description,
             "params": [{"name": p.name, "type": p.type, "required": p.required, "default": p.default or "",
                         "description": p.description_in(lang)} for p in q.params],
             "columns": {v[1:]: headings.get(v[1:], v[1:]) for v in q.returns.split()}}
            for q in resources.queries().values()]


async def query_page(request: Request) -> Response:
    from tvetkg.namespaces import PREDECLARED

    lang = _lang(request)
    return _page(request, "query.html", queries=_catalogue_list(lang), chosen=request.query_params.get("name", ""),
                 max_rows=request.app.state.site.limits.max_rows, prefixes=PREDECLARED, terms=_vocabulary(lang))


@lru_cache(maxsize=3)
def _vocabulary(lang: str) -> list:
    """The ontology's terms in a language, read once per language."""
    from tvetkg import paths
    from tvetkg.terms import vocabulary

    return vocabulary(paths.ontology_file(), lang)


async def catalogue_text(request: Request) -> Response:
    """A catalogue query with its parameters bound, as the text to run (the query page puts it in the editor)."""
    name = request.path_params["name"]
    queries = resources.queries()
    if name not in queries:
        return PlainTextResponse(f"unknown query {name!r}\n", status_code=404)
    values = {k: v for k, v in request.query_params.items() if v != ""}
    try:
        return PlainTextResponse(queries[name].bind(values), media_type="application/sparql-query; charset=utf-8")
    except TvetKgError as error:
        return PlainTextResponse(str(error) + "\n", status_code=400)


async def resource(request: Request) -> Response:
    site: Site = request.app.state.site
    iri = resources.BASE + request.url.path.lstrip("/")
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return _error(request, QueryFailed(404, f"{request.url.path}: not an IRI of this graph"))
    wanted = best(request.headers.get("accept"), RDF_OFFERS)
    if request.query_params.get("format") in DUMP_EXTENSIONS.values():
        wanted = {v: k for k, v in DUMP_EXTENSIONS.items()}[request.query_params["format"]]
    if wanted is None:
        return PlainTextResponse(f"offered: {', '.join(RDF_OFFERS)}\n", status_code=406)
    lang = _lang(request)
    try:
        if wanted != HTML:
            task = Task(bind_values(resources.sparql("describe"), {"resource": node}), graph_format=wanted)
            answer = await site.in_pages(site.pages.run, task)
            if answer.rows == 0:
                return PlainTextResponse(f"{iri}: the graph says nothing of it\n", status_code=404)
            return Response(answer.body, media_type=wanted, headers={"Vary": "Accept"})
        page = await site.in_pages(resources.describe, site.rows, iri, lang)
        if page is None:
            return _error(request, QueryFailed(404, f"{iri}: the graph says nothing of it"))
        page.extras = await site.in_pages(resources.extras, site.results, page, lang)
    except QueryFailed as error:
        return _error(request, error)
    formats = {ext: f"{request.url.path}?format={ext}" for ext in DUMP_EXTENSIONS.values()}
    return _page(request, "resource.html", page=page, formats=formats)


def _rdf_file(request: Request, turtle: Path, html_file: Path | None = None) -> Response:
    """An RDF document in the format `Accept` asks for: the file beside `turtle` with that format's
    extension when there is one, else `turtle` converted; `html_file` (or the Turtle, as text) for browsers."""
    wanted = best(request.headers.get("accept"), RDF_OFFERS)
    if wanted is None:
        return PlainTextResponse(f"offered: {', '.join(RDF_OFFERS)}\n", status_code=406)
    if wanted == HTML:
        if html_file is not None:
            return FileResponse(html_file, media_type="text/html; charset=utf-8")
        return FileResponse(turtle, media_type="text/plain; charset=utf-8")  # readable in the browser
    written = turtle.with_suffix("." + DUMP_EXTENSIONS[wanted])
    if written.is_file():
        return FileResponse(written, media_type=wanted)
    triples = [q.triple for q in ox.parse(turtle.read_bytes(), format=ox.RdfFormat.TURTLE)]
    return Response(ox.serialize(triples, format=GRAPH_FORMATS[wanted]), media_type=wanted)


def _document(request: Request, stem: str, html_file: str | None = None) -> Response:
    """The ontology, the shapes or the dataset description, from the dumps."""
    site: Site = request.app.state.site
    try:
        dist = site.dist()
    except QueryFailed as error:
        return _error(request, error)
    return _rdf_file(request, dist / f"{stem}.ttl", dist / html_file if html_file else None)


async def ontology(request: Request) -> Response:
    return await to_thread.run_sync(_document, request, "ontology", "ontology.html")


async def shapes(request: Request) -> Response:
    return await to_thread.run_sync(_document, request, "shapes")


async def shapes_file(request: Request) -> Response:
    """One file of shapes, the named graph `https://w3id.org/oic-tvet/shapes/NAME` of the dumps."""
    from tvetkg import paths

    name = request.path_params["name"]
    path = paths.shapes_dir() / f"{name}.shape.ttl"
    if "/" in name or name.startswith(".") or not path.is_file():
        return _error(request, QueryFailed(404, f"{request.url.path}: no such shapes file"))
    return await to_thread.run_sync(_rdf_file, request, path)


async def dataset(request: Request) -> Response:
    return await to_thread.run_sync(_document, request, "dataset")


async def dist_file(request: Request) -> Response:
    site: Site = request.app.state.site
    name = request.path_params["name"]
    try:
        dist = await to_thread.run_sync(site.dist)
    except QueryFailed as error:
        return _error(request, error)
    path = dist / name
    if "/" in name or name.startswith(".") or not path.is_file():
        return _error(request, QueryFailed(404, f"/dist/{name}: no such file; the dumps are listed on the home page"))
    from tvetkg.export import media_type

    return FileResponse(path, media_type=media_type(name))


class _Inline(html.parser.HTMLParser):
    """The text of each inline <script> and <style> of a page, to allow exactly those in its policy."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.found: dict[str, list[str]] = {"script": [], "style": []}
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.found and not dict(attrs).get("src"):
            self._open, self._text = tag, []

    def handle_data(self, data):
        if self._open:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == self._open:
            self.found[tag].append("".join(self._text))
            self._open = None


def _policy_for(text: str) -> str:
    parser = _Inline()
    parser.feed(text)
    parser.close()

    def hashes(items):
        return " ".join(f"'sha256-{b64encode(hashlib.sha256(i.encode()).digest()).decode()}'" for i in items)

    return POLICY.replace("script-src 'self'", f"script-src 'self' {hashes(parser.found['script'])}").replace(
        "style-src 'self'", f"style-src 'self' {hashes(parser.found['style'])}")


@lru_cache(maxsize=32)
def _network_html(site: Site, lang: str, colour: str) -> tuple[str, str]:
    from tvetkg import page
    from tvetkg.network import Filters, build_network, fetch
    from tvetkg.query import Results

    rows, orgs = fetch(lambda sparql: Results(json=site.pages.run(Task(sparql)).body), Filters(lang))
    graph = build_network("organisations", rows, orgs)
    nav = f'<nav class="site"><a href="/">{words()[lang]["home"]}</a></nav>'
    text = page.render(graph, colour_by=colour, lang=lang, title=words()[lang]["network"])
    text = text.replace("<header>", "<header>" + nav, 1)
    return text, _policy_for(text)


async def network_page(request: Request) -> Response:
    site: Site = request.app.state.site
    lang = _lang(request)
    colour = request.query_params.get("colour", "type")
    if colour not in ("type", "community"):
        return _error(request, QueryFailed(400, f"colour={colour!r}: use type or community"))
    try:
        text, policy = await site.in_pages(_network_html, site, lang, colour)
    except (QueryFailed, TvetKgError) as error:
        return _error(request, error)
    return HTMLResponse(text, headers={"Content-Security-Policy": policy})


async def search(request: Request) -> Response:
    site: Site = request.app.state.site
    text = request.query_params.get("q", "").strip()
    found = []
    if text:
        try:
            rows = await site.in_pages(site.rows, bind_values(resources.sparql("search"), {"text": ox.Literal(text)}))
        except QueryFailed as error:
            return _error(request, error)
        found = [resources.cell(r["resource"], label=r["found"]["value"]) for r in rows]
    return _page(request, "search.html", text=text, found=found)


async def health(request: Request) -> Response:
    """Whether a page worker answers a query now, and how full the query workers are."""
    site: Site = request.app.state.site
    status = {"admission": site.admission.status(), "query_workers": len(site.pool.pids()),
              "page_workers": len(site.pages.pids())}
    try:
        await site.in_pages(site.pages.run, Task("ASK {}"), None, 1.0)
    except QueryFailed as error:
        return JSONResponse({**status, "ok": False, "error": str(error)}, status_code=503)
    return JSONResponse({**status, "ok": True})


async def not_found(request: Request, exc) -> Response:
    return _error(request, QueryFailed(404, f"{request.url.path}: no such page"))


class SecurityHeaders:
    """Adds the content security policy (unless the response set its own) and the other headers to every
    response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def sending(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", POLICY.encode()))
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in names)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


def create_app(site: Site) -> Starlette:
    """The application over a started `site`, which it closes when the server stops."""

    @asynccontextmanager
    async def lifespan(app):
        app.state.site = site
        try:
            yield
        finally:
            site.close()

    static = str(files("tvetkg.serve").joinpath("static"))
    routes = [
        Route("/", home),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"]),
        Route("/query", query_page),
        Route("/catalogue/{name:path}.rq", catalogue_text),
        Route("/network", network_page),
        Route("/search", search),
        Route("/health", health),
        Route("/id/{slug:path}", resource),
        Route("/ontology", ontology),
        Route("/shapes", shapes),
        Route("/shapes/{name}", shapes_file),
        Route("/dataset", dataset),
        Route("/.well-known/void", dataset),
        Route("/dist/{name}", dist_file),
        Route("/favicon.ico", lambda request: RedirectResponse("/static/favicon.svg", status_code=301)),
        Mount("/static", StaticFiles(directory=static), name="static"),
    ]
    cors = Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
                      allow_headers=["*"], expose_headers=["X-Result-Rows"], max_age=86400)
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders), cors], lifespan=lifespan,
                     exception_handlers={404: not_found})


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
