"""The web application: the SPARQL endpoint, the linked-data pages and the explorer, as one Starlette app."""

import json
import os
import shutil
import tempfile
import threading
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
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from tvetkg.catalogue import bind_values
from tvetkg.errors import TvetKgError
from tvetkg.serve import protocol, resources
from tvetkg.serve.negotiate import best, best_language
from tvetkg.serve.workers import GRAPH_FORMATS, Pool, QueryFailed, Source, Task

LANGS = ("en", "ar", "fr")
HTML = "text/html"
RDF_OFFERS = [HTML, *GRAPH_FORMATS]
DUMP_EXTENSIONS = {"text/turtle": "ttl", "application/n-triples": "nt", "application/ld+json": "jsonld",
                   "application/rdf+xml": "rdf"}
HOME_CLASSES = (("activities", "Activity"), ("organisations", "Organisation"), ("people", "Person"),
                ("sources", "SourceDocument"))


@lru_cache(maxsize=1)
def words() -> dict:
    return yaml.safe_load(files("tvetkg.serve").joinpath("words.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("tvetkg.serve", "templates"),
                              autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


class Site:
    """What the handlers share: the query workers, the settings, and the dumps written at start."""

    def __init__(self, source: Source, workers: int, timeout: float, max_rows: int, endpoint_url: str):
        self.source = source
        self.pool = Pool(source, workers, timeout, max_rows)
        self.endpoint_url = endpoint_url
        self._dist_dir = Path(tempfile.mkdtemp(prefix="tvetkg-serve-")) / "dist"
        self._dist_ready = threading.Event()
        self._dist_error: str | None = None

    def start(self) -> None:
        threading.Thread(target=self._export, daemon=True, name="tvetkg-export").start()
        self.pool.start()

    def close(self) -> None:
        self.pool.close()
        shutil.rmtree(self._dist_dir.parent, ignore_errors=True)

    def _export(self) -> None:
        from tvetkg.export import export

        try:
            export(self._dist_dir, kg_dir=self.source.kg_dir, endpoint=self.endpoint_url)
        except (TvetKgError, OSError) as error:
            self._dist_error = str(error)
        finally:
            self._dist_ready.set()

    def dist(self) -> Path:
        """The folder of dumps (as `tvetkg export` writes it), waiting for it if need be."""
        if not self._dist_ready.wait(timeout=600) or self._dist_error:
            raise QueryFailed(503, f"the dumps are not available: {self._dist_error or 'still being written'}")
        return self._dist_dir

    def results(self, sparql: str) -> tuple[list[str], list[dict]]:
        """A SELECT query's variables and solutions (SPARQL JSON terms)."""
        data = json.loads(self.pool.run(Task(sparql)).body)
        return data["head"]["vars"], data["results"]["bindings"]

    def rows(self, sparql: str) -> list[dict]:
        return self.results(sparql)[1]


def _lang(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get("lang")
    if asked in LANGS:
        return asked
    return best_language(request.headers.get("accept-language"), list(LANGS)) or "en"


def _page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    lang = _lang(request)
    here = request.url.path
    others = {k: v for k, v in request.query_params.items() if k != "lang"}
    switch = {code: f"{here}?{urlencode({**others, 'lang': code})}" for code in LANGS}
    text = _templates().get_template(template).render(
        lang=lang, dir="rtl" if lang == "ar" else "ltr", w=words()[lang], switch=switch, path=here, **context)
    response = HTMLResponse(text, status_code=status, headers={"Vary": "Accept, Accept-Language, Cookie"})
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


def _error(request: Request, status: int, message: str) -> Response:
    wants_html = best(request.headers.get("accept"), ["text/plain", HTML]) == HTML
    if wants_html and not request.url.path.startswith("/sparql"):
        return _page(request, "error.html", status=status, status_code=status, message=message)
    return PlainTextResponse(message + "\n", status_code=status)


async def _run(function, *args):
    return await to_thread.run_sync(function, *args)


async def sparql_endpoint(request: Request) -> Response:
    site: Site = request.app.state.site
    try:
        body = await request.body() if request.method == "POST" else b""
        params: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            params.setdefault(key, []).append(value)
        if request.method == "GET" and "query" not in params and "update" not in params:
            if best(request.headers.get("accept"), ["text/turtle", HTML]) == HTML:
                return RedirectResponse("/query", status_code=303)
        query = protocol.read(request.method, request.headers.get("content-type", ""), params, body)
        protocol.check(query.sparql)
        task = protocol.task(query, request.headers.get("accept"))
        try:
            answer = await _run(site.pool.run, task)
        except QueryFailed as error:
            raise protocol.explain(error, query.sparql) from None
    except QueryFailed as error:
        return PlainTextResponse(str(error) + "\n", status_code=error.status)
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
        counts = await _run(_counts, site)
        areas = await _run(site.rows, resources.queries()["coverage-by-area"].bind({"lang": lang}))
    except QueryFailed as error:
        return _error(request, error.status, str(error))
    dist = await _run(site.dist)
    downloads = sorted(p.name for p in dist.iterdir() if p.is_file())
    areas = [{k: v["value"] for k, v in row.items()} for row in areas]
    return _page(request, "home.html", counts=counts, areas=areas,
                 downloads=downloads, queries=_catalogue_list())


def _catalogue_list() -> list[dict]:
    return [{"name": q.name, "summary": q.summary, "description": q.description,
             "params": [{"name": p.name, "type": p.type, "required": p.required, "default": p.default or "",
                         "description": p.description} for p in q.params]}
            for q in resources.queries().values()]


async def query_page(request: Request) -> Response:
    return _page(request, "query.html", queries=_catalogue_list(), chosen=request.query_params.get("name", ""),
                 max_rows=request.app.state.site.pool.max_rows)


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
    wanted = best(request.headers.get("accept"), RDF_OFFERS)
    if request.query_params.get("format") in DUMP_EXTENSIONS.values():
        wanted = {v: k for k, v in DUMP_EXTENSIONS.items()}[request.query_params["format"]]
    if wanted is None:
        return PlainTextResponse(f"offered: {', '.join(RDF_OFFERS)}\n", status_code=406)
    lang = _lang(request)
    try:
        if wanted != HTML:
            answer = await _run(site.pool.run, Task(bind_values(resources.sparql("describe"),
                                                                {"resource": ox.NamedNode(iri)}), graph_format=wanted))
            if answer.rows == 0:
                return PlainTextResponse(f"{iri}: the graph says nothing of it\n", status_code=404)
            return Response(answer.body, media_type=wanted, headers={"Vary": "Accept"})
        page = await _run(resources.describe, site.rows, iri, lang)
        if page is None:
            return _error(request, 404, f"{iri}: the graph says nothing of it")
        page.extras = await _run(resources.extras, site.results, page, lang)
    except QueryFailed as error:
        return _error(request, error.status, str(error))
    formats = {ext: f"{request.url.path}?format={ext}" for ext in DUMP_EXTENSIONS.values()}
    return _page(request, "resource.html", page=page, formats=formats)


def _rdf_file(request: Request, turtle: Path, html: Path | None = None) -> Response:
    """An RDF document in the format `Accept` asks for: the file beside `turtle` with that format's
    extension when there is one, else `turtle` converted; `html` (or the Turtle, as text) for browsers."""
    wanted = best(request.headers.get("accept"), RDF_OFFERS)
    if wanted is None:
        return PlainTextResponse(f"offered: {', '.join(RDF_OFFERS)}\n", status_code=406)
    if wanted == HTML:
        if html is not None:
            return FileResponse(html, media_type="text/html; charset=utf-8")
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
        return _error(request, error.status, str(error))
    return _rdf_file(request, dist / f"{stem}.ttl", dist / html_file if html_file else None)


async def ontology(request: Request) -> Response:
    return await _run(_document, request, "ontology", "ontology.html")


async def shapes(request: Request) -> Response:
    return await _run(_document, request, "shapes")


async def shapes_file(request: Request) -> Response:
    """One file of shapes, the named graph `https://w3id.org/oic-tvet/shapes/NAME` of the dumps."""
    from tvetkg import paths

    path = paths.shapes_dir() / f"{request.path_params['name']}.shape.ttl"
    if "/" in request.path_params["name"] or not path.is_file():
        return _error(request, 404, f"{request.url.path}: no such shapes file")
    return await _run(_rdf_file, request, path)


async def dataset(request: Request) -> Response:
    return await _run(_document, request, "dataset")


async def dist_file(request: Request) -> Response:
    site: Site = request.app.state.site
    name = request.path_params["name"]
    try:
        dist = await _run(site.dist)
    except QueryFailed as error:
        return _error(request, error.status, str(error))
    path = dist / name
    if "/" in name or name.startswith(".") or not path.is_file():
        return _error(request, 404, f"/dist/{name}: no such file; the dumps are listed on the home page")
    from tvetkg.export import media_type

    return FileResponse(path, media_type=media_type(name))


@lru_cache(maxsize=32)
def _network_html(site: Site, lang: str, colour: str) -> str:
    from tvetkg import page
    from tvetkg.network import Filters, build_network, fetch
    from tvetkg.query import Results

    rows, orgs = fetch(lambda sparql: Results(json=site.pool.run(Task(sparql)).body), Filters(lang))
    graph = build_network("organisations", rows, orgs)
    return page.render(graph, colour_by=colour, lang=lang, title=words()[lang]["network"])


async def network_page(request: Request) -> Response:
    site: Site = request.app.state.site
    lang = _lang(request)
    colour = request.query_params.get("colour", "type")
    if colour not in ("type", "community"):
        return _error(request, 400, f"colour={colour!r}: use type or community")
    try:
        text = await _run(_network_html, site, lang, colour)
    except (QueryFailed, TvetKgError) as error:
        return _error(request, getattr(error, "status", 500), str(error))
    nav = f'<nav class="site"><a href="/">{words()[lang]["home"]}</a></nav>'
    return HTMLResponse(text.replace("<header>", "<header>" + nav, 1))


async def search(request: Request) -> Response:
    site: Site = request.app.state.site
    text = request.query_params.get("q", "").strip()
    found = []
    if text:
        try:
            rows = await _run(site.rows, bind_values(resources.sparql("search"), {"text": ox.Literal(text)}))
        except QueryFailed as error:
            return _error(request, error.status, str(error))
        found = [resources.cell(r["resource"], label=r["found"]["value"]) for r in rows]
    return _page(request, "search.html", text=text, found=found)


async def not_found(request: Request, exc) -> Response:
    return _error(request, 404, f"{request.url.path}: no such page")


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
    return Starlette(routes=routes, middleware=[cors], lifespan=lifespan,
                     exception_handlers={404: not_found})


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
