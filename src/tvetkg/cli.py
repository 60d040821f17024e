"""The `tvetkg` command line: wires each command to the module that does its job.

Exit codes: 0 success (the graph conforms, is consistent), 1 the graph does not
conform or is inconsistent, 2 bad input or an unreachable resource.
"""

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tvetkg import __version__
from tvetkg.errors import TvetKgError
from tvetkg.namespaces import shorten

app = typer.Typer(
    help="The knowledge graph of TVET cooperation among OIC member states: build, validate, "
    "reason over and query it, on the embedded Oxigraph store or a SPARQL 1.1 endpoint.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
# Data and user text are printed escaped (a label may hold "[/b]"), and ":smile:" stays text.
out = Console(soft_wrap=True, emoji=False)
err = Console(stderr=True, soft_wrap=True, emoji=False)

KgOption = Annotated[
    Optional[Path], typer.Option("--kg", help="Data folder of .ttl/.trig files to use instead of the shipped graph.")
]
ReasonerOption = Annotated[
    str, typer.Option("--reasoner", help="hermit, rules (OWL 2 RL on the store) or auto (HermiT up to 20k statements).")
]
StoreOption = Annotated[
    Optional[Path],
    typer.Option("--store", help="Keep an on-disk Oxigraph store in DIR, reused until a source file changes."),
]


def _fail(error: TvetKgError) -> None:
    err.print(f"[bold red]error:[/] {escape(str(error))}", markup=True, highlight=False)
    raise typer.Exit(2)


def _version(value: bool) -> None:
    if value:
        out.print(f"tvetkg {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """The knowledge graph of TVET cooperation among OIC member states."""


@app.command()
def build(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the build into.")] = Path("build"),
    kg: KgOption = None,
    store: StoreOption = None,
    reasoner: ReasonerOption = "auto",
) -> None:
    """Load, validate (SHACL), reason (HermiT), run the whole catalogue, and write build/.

    Writes graph.trig (ontology and graph, one named graph per source), validation.ttl
    and validation.json, inferred.nt, `queries/<name>.csv` for every catalogue query, and
    summary.md/summary.json. Exits 1 if the graph does not conform, is inconsistent, or
    a qc/*-violation check returns rows.
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from tvetkg.build import build as run_build
    from tvetkg.reason import REASONERS

    if reasoner not in REASONERS:
        _fail(TvetKgError(f"--reasoner {reasoner!r}: use {', '.join(REASONERS)}"))
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=err, transient=True) as progress:
            task = progress.add_task("starting")
            summary = run_build(out_dir, kg, store, lambda name: progress.update(task, description=name), reasoner)
    except TvetKgError as error:
        _fail(error)
    out.print(f"statements  {summary.statements}")
    out.print(f"SHACL       {'conforms' if summary.conforms else 'does NOT conform'} "
              f"({summary.violations} violations, {summary.warnings} warnings)")
    out.print(f"OWL         {'consistent' if summary.consistent else 'INCONSISTENT'} ({summary.inferred} entailed facts, {summary.reasoner})")
    out.print(f"queries     {len(summary.queries)} run, qc failing: {', '.join(summary.failed_checks) or 'none'}")
    out.print("seconds     " + ", ".join(f"{k} {v}" for k, v in summary.seconds.items()))
    out.print(f"written     {out_dir}/")
    if not summary.ok:
        raise typer.Exit(1)


@app.command()
def validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders to validate instead of the graph.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, turtle (a sh:ValidationReport) or json.")] = "text",
    kg: KgOption = None,
    engine: Annotated[str, typer.Option(
        "--engine", help="oxigraph (the shapes compiled to SPARQL, fast) or pyshacl (the reference).")] = "oxigraph",
    shapes: Annotated[Optional[list[Path]], typer.Option(
        "--shapes", help="A shapes file to use instead of the shipped shapes (repeat for several); the "
                         "shipped ontology then stays out unless given with `--ontology`.")] = None,
    ontology: Annotated[Optional[Path], typer.Option(
        "--ontology", help="An ontology file to mix in (pySHACL's ont_graph) instead of the shipped one.")] = None,
    allow_warnings: Annotated[bool, typer.Option(
        "--allow-warnings", help="Conform with warnings and infos (pySHACL's option; the build uses it).")] = False,
) -> None:
    """Check the graph against the SHACL shapes, with the ontology mixed in (pySHACL's ont_graph).

    Prints each result with the label of the focus node, the path, the message, the
    severity and the file it comes from. Both engines give the same results; the
    default runs the shapes as SPARQL on the embedded store, pyshacl is the reference.
    Exit 0 conforms (no result at all, or no violation with `--allow-warnings`), 1 does
    not, 2 the input or the shapes could not be read or are refused.
    """
    from tvetkg import paths as shipped
    from tvetkg.load import graph_files, read_quads
    from tvetkg.store import open_graph
    from tvetkg.validate import ENGINES, validate as run_validate, validate_quads

    if fmt not in ("text", "turtle", "json"):
        _fail(TvetKgError(f"--format {fmt!r}: use text, turtle or json"))
    if engine not in ENGINES:
        _fail(TvetKgError(f"--engine {engine!r}: use {' or '.join(ENGINES)}"))
    try:
        for path in [*(shapes or ()), *([ontology] if ontology else ())]:
            if not path.is_file():
                raise TvetKgError(f"{path}: no such file")
        files = []
        for path in paths or ():
            if path.is_dir():
                files += graph_files(path)
            elif path.is_file():
                files.append(path)
            else:
                raise TvetKgError(f"{path}: no such file or folder")
        if shapes or ontology:  # any data, any shapes: the files as they are, nothing shipped unless asked
            files = files or graph_files(kg or shipped.kg_dir())
            quads = [q for path in files for q in read_quads(path)]
            mixed_in = ontology or (None if shapes else shipped.ontology_file())
            report = validate_quads(quads, mixed_in, shapes, engine, files, allow_warnings)
        else:
            graph = _graph_of_files(files) if paths else open_graph(kg)
            report = run_validate(graph, engine=engine, allow_warnings=allow_warnings)
    except TvetKgError as error:
        _fail(error)
    if fmt == "turtle":
        out.print(report.to_turtle(), markup=False, highlight=False)
    elif fmt == "json":
        out.print(report.to_json(), markup=False, highlight=False)
    else:
        _print_report(report)
    raise typer.Exit(0 if report.conforms else 1)


def _graph_of_files(files):
    from tvetkg import paths
    from tvetkg.store import in_memory

    return in_memory(paths.ontology_file(), files)


def _print_report(report) -> None:
    if report.results:
        table = Table(show_lines=True)
        for column in ("severity", "focus", "path", "message", "file"):
            table.add_column(column, overflow="fold")
        shown = set()
        for r in report.results:
            row = (r.severity, f"{r.label}\n{r.focus}", r.path or "", r.message, "\n".join(os.path.relpath(f) for f in r.files))
            if row in shown:  # one result per focus, path, value and shape: the same line once
                continue
            shown.add(row)
            style = "red" if r.severity == "Violation" else "yellow"
            table.add_row(f"[{style}]{escape(row[0])}[/]", *(escape(cell) for cell in row[1:]))
        out.print(table)
    verdict = "[green]conforms[/]" if report.conforms else "[red]does not conform[/]"
    out.print(f"{verdict}: {len(report.violations)} violations, {len(report.warnings)} warnings")


def _parse_params(params: list[str]) -> dict[str, str]:
    values = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise TvetKgError(f"--param {item!r}: write --param name=value")
        values[name.strip()] = value
    return values


@app.command()
def query(
    name: Annotated[Optional[str], typer.Argument(help="A catalogue query name (see `tvetkg queries`) or a .rq file.")] = None,
    sparql: Annotated[Optional[str], typer.Option("--sparql", help="A SPARQL query text to run instead.")] = None,
    param: Annotated[Optional[list[str]], typer.Option("--param", help="name=value, bound as an RDF term; repeatable.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, tsv, json or xml (SPARQL results formats).")] = "table",
    endpoint: Annotated[Optional[str], typer.Option("--endpoint", help="URL of a SPARQL 1.1 endpoint to query instead of the embedded store.")] = None,
    user: Annotated[Optional[str], typer.Option("--user", help="User name for the endpoint; the password is read from TVETKG_PASSWORD.")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for the endpoint.")] = 60,
    inferred: Annotated[bool, typer.Option("--inferred", help="Include the facts HermiT entails (super-properties, inverses, classes).")] = False,
    allow_service: Annotated[bool, typer.Option("--allow-service", help="Let the query call other endpoints with SERVICE (refused by default: nothing leaves this machine).")] = False,
    kg: KgOption = None,
    store: StoreOption = None,
) -> None:
    """Run a catalogue query, a .rq file or --sparql text, on the embedded store or --endpoint.

    Parameters are bound as RDF terms with --param name=value: an IRI (id:sesric, a
    full IRI, or a bare slug such as sesric), a date (2024-05-29), a number or a string.
    """
    from tvetkg.api import KnowledgeGraph, prepare
    from tvetkg.query import RESULT_FORMATS, serialize_local

    try:
        if fmt not in ("table", *RESULT_FORMATS):
            raise TvetKgError(f"--format {fmt!r}: use table, csv, tsv, json or xml")
        if (name is None) == (sparql is None):
            raise TvetKgError("give a query NAME or .rq FILE, or --sparql TEXT (one of them)")
        values = _parse_params(param or [])
        password = os.environ.get("TVETKG_PASSWORD")
        opened = KnowledgeGraph(kg, store, endpoint, inferred=inferred, timeout=timeout,
                                credentials=(user, password or "") if user else None)
        text = prepare(sparql if sparql is not None else name, values, opened.run, text=sparql is not None)
        if opened.graph is not None and fmt != "table":  # the embedded store writes the format itself
            _write_whole(serialize_local(opened.graph, text, fmt, allow_service))
            return
        results = opened.run(text, allow_service)
    except TvetKgError as error:
        _fail(error)
    if results.is_graph or fmt != "table":
        _write_whole(results.serialize("json" if fmt == "table" else fmt))
        return
    _print_results(results)


def _write_whole(answer: bytes) -> None:
    """An answer on standard output, ending with a line end (SPARQL JSON and XML have none)."""
    sys.stdout.buffer.write(answer if answer.endswith(b"\n") or not answer else answer + b"\n")
    sys.stdout.flush()


def _print_results(results) -> None:
    variables = results.variables() or ["boolean"]
    table = Table()
    for variable in variables:
        table.add_column(variable, overflow="fold")
    rows = results.rows()
    for row in rows:
        table.add_row(*[_cell(row.get(v)) for v in variables])
    out.print(table)
    out.print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}", style="dim")


def _cell(term) -> str:
    if term is None:
        return ""
    if term["type"] == "uri":
        return escape(shorten(term["value"]))
    return escape(term["value"])


@app.command()
def terms(
    lang: Annotated[str, typer.Option("--lang", help="Language of the labels and definitions: ar, en or fr.")] = "en",
    kind: Annotated[Optional[str], typer.Option("--kind", help="Only classes, or only properties.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """The vocabulary: the ontology's classes and properties, with label, definition, domain and range."""
    import csv
    import io
    import json
    from dataclasses import asdict

    from tvetkg import paths
    from tvetkg.terms import vocabulary

    try:
        if kind not in (None, "classes", "properties"):
            raise TvetKgError(f"--kind {kind!r}: use classes or properties")
        if fmt not in ("table", "csv", "json"):
            raise TvetKgError(f"--format {fmt!r}: use table, csv or json")
        found = [t for t in vocabulary(paths.ontology_file(), lang)
                 if kind is None or (t.kind == "class") == (kind == "classes")]
    except TvetKgError as error:
        _fail(error)
    if fmt == "json":
        sys.stdout.write(json.dumps([asdict(t) for t in found], ensure_ascii=False, indent=1) + "\n")
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(asdict(found[0])), lineterminator="\n")
        writer.writeheader()
        writer.writerows(asdict(t) for t in found)
        sys.stdout.write(buffer.getvalue())
        return
    table = Table()
    for column, width in (("term", None), ("kind", None), ("label", None), ("definition", 60), ("domain", None),
                          ("range", None)):
        table.add_column(column, overflow="fold", max_width=width)
    for t in found:
        marked = t.definition if t.definition_language in ("", lang) else f"({t.definition_language}) {t.definition}"
        table.add_row(*(escape(v) for v in (t.name, t.kind, t.label, marked, t.domain, t.range)))
    out.print(table)
    out.print(f"{len(found)} terms", style="dim")


@app.command()
def queries(
    tag: Annotated[Optional[str], typer.Option("--tag", help="Only queries with this tag (partnership, coverage, quality, provenance, qc, stats).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """List the SPARQL catalogue: each query's name, summary and parameters."""
    import json

    from tvetkg.catalogue import catalogue

    try:
        every = catalogue().values()
        found = [q for q in every if tag is None or tag in q.tags]
        if not found:
            tags = sorted({t for q in every for t in q.tags})
            raise TvetKgError(f"--tag {tag!r}: no query has it (tags: {', '.join(tags)})")
    except TvetKgError as error:
        _fail(error)
    if fmt == "json":
        data = [{"name": q.name, "summary": q.summary, "description": q.description, "tags": q.tags,
                 "params": [p.__dict__ for p in q.params], "returns": q.returns, "example": q.example}
                for q in found]
        out.print(json.dumps(data, ensure_ascii=False, indent=2), markup=False, highlight=False)
        return
    table = Table()
    table.add_column("name", no_wrap=True)
    for column in ("summary", "parameters", "tags"):
        table.add_column(column, overflow="fold")
    for q in found:
        params = ", ".join(
            f"{p.name}:{p.type}" + ("" if p.required else f"={p.default}" if p.default else "?") for p in q.params
        )
        table.add_row(escape(q.name), escape(q.summary), escape(params), escape(", ".join(q.tags)))
    out.print(table)
    out.print(f"{len(found)} queries", style="dim")


@app.command()
def reason(
    output: Annotated[Path, typer.Option("--output", help="Where to write the entailed facts (N-Triples).")] = Path("build/inferred.nt"),
    kg: KgOption = None,
    reasoner: ReasonerOption = "auto",
) -> None:
    """Check ontology plus graph with HermiT and write the facts it entails.

    HermiT reads the OWL view that `tvetkg export` writes to owl/tvet-kg.owl (dates as
    xsd:dateTime), with no datatype ignored.

    For a graph above 5,000 statements `auto` applies OWL 2 RL rules (`rules/`) on
    the embedded store instead: they entail the same facts as HermiT on this
    ontology (tested), and the disjointness and functional-property axioms are checked
    by the qc checks tagged `reasoning`.

    The entailed facts (class memberships, tvet:involves from the four roles, the
    inverses tvet:involvedIn and tvet:hasPart) go to --output; `tvetkg query --inferred`
    includes them. An inconsistency is explained: which individuals, which axioms.
    Exit 0 consistent, 1 inconsistent, 2 error.
    """
    from collections import Counter

    from tvetkg.reason import infer_graph, write
    from tvetkg.store import open_graph

    try:
        inference = infer_graph(open_graph(kg), reasoner)
    except TvetKgError as error:
        _fail(error)
    if not inference.consistent:
        out.print(f"[red]inconsistent[/]: {inference.reasoner_message}")
        for line in inference.explanation:
            out.print(f"  - {line}", markup=False, highlight=False)
        raise typer.Exit(1)
    write(inference, output)
    out.print(f"[green]consistent[/]: {len(inference.triples)} entailed facts written to {output}")
    for predicate, count in Counter(p for _, p, _ in inference.triples).most_common():
        out.print(f"  {shorten(predicate):24} {count}")


@app.command()
def network(
    kind: Annotated[str, typer.Option("--kind", help="organisations, bipartite (organisation–activity), countries, or all.")] = "organisations",
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the files into.")] = Path("build/network"),
    fmt: Annotated[str, typer.Option("--format", help="Comma-separated: graphml, gexf, json, png, svg, html; or all.")] = "all",
    lang: Annotated[str, typer.Option("--lang", help="Language of the labels: ar, en or fr.")] = "en",
    colour: Annotated[str, typer.Option("--colour", help="Colour nodes by type or community.")] = "type",
    area: Annotated[Optional[str], typer.Option("--area", help="Only activities of this cooperation area (1-4).")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Only activities starting on or after this date (YYYY-MM-DD).")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Only activities starting on or before this date.")] = None,
    role: Annotated[Optional[str], typer.Option("--role", help="Only this role: organiser, partner, contentProvider, funder.")] = None,
    activity_type: Annotated[Optional[str], typer.Option("--type", help="Only activities of this type (Webinar, TrainingCourse, Workshop...).")] = None,
    top: Annotated[int, typer.Option("--top", help="Rows of the ranking to print.")] = 15,
    endpoint: Annotated[Optional[str], typer.Option("--endpoint", help="Build from a SPARQL 1.1 endpoint instead of the embedded store.")] = None,
    kg: KgOption = None,
    store: StoreOption = None,
) -> None:
    """Build the partner networks with networkx, rank the organisations, and export them.

    Organisations are linked when involved in the same activity (weight: shared
    activities; edges carry roles, titles and dates); the bipartite network links
    organisations to activities; the country network links countries whose
    organisations shared an activity. Nodes carry label, type, country, acronym,
    degree, weighted degree, betweenness, PageRank and Louvain community. Writes
    GraphML and GEXF (Gephi, Cytoscape), node-link JSON, PNG, SVG and an interactive
    HTML page that works offline.
    """
    from tvetkg.api import KnowledgeGraph
    from tvetkg.network import FORMATS, KINDS, export

    try:
        if kind != "all" and kind not in KINDS:
            raise TvetKgError(f"--kind {kind!r}: use one of {', '.join(KINDS)}, or all")
        kinds = KINDS if kind == "all" else [kind]
        formats = FORMATS if fmt == "all" else [f.strip() for f in fmt.split(",") if f.strip()]
        if lang not in ("ar", "en", "fr"):
            raise TvetKgError(f"--lang {lang!r}: use ar, en or fr")
        if colour not in ("type", "community"):
            raise TvetKgError(f"--colour {colour!r}: use type or community")
        built = KnowledgeGraph(kg, store, endpoint).networks(kinds, lang, area, since, until, role, activity_type)
        for name, graph in built.items():
            title = _network_title(name, area, since, until, role, activity_type)
            written = export(graph, out_dir, name, formats, colour, lang, title)
            _print_ranking(graph, title, top)
            out.print("written  " + "  ".join(str(p) for p in written), highlight=False)
    except TvetKgError as error:
        _fail(error)


def _network_title(kind, area, since, until, role, activity_type) -> str:
    parts = [f"{kind} network"]
    for name, value in (("area", area), ("since", since), ("until", until), ("role", role), ("type", activity_type)):
        if value:
            parts.append(f"{name} {value}")
    return ", ".join(parts)


def _print_ranking(graph, title, top) -> None:
    from tvetkg.network import ranking

    table = Table(title=f"{title}: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
    for column in ("#", "node", "type", "country", "degree", "weighted", "betweenness", "PageRank", "community"):
        table.add_column(column, overflow="fold")
    for rank, (node, d) in enumerate(ranking(graph)[:top], 1):
        table.add_row(str(rank), escape(d.get("acronym") or d["label"]), escape(d.get("type", "")),
                      escape(d.get("country", "")), str(d["degree"]), str(d["weighted_degree"]),
                      f"{d['betweenness']:.3f}", f"{d['pagerank']:.3f}", str(d["community"]))  # as in the files
    out.print(table)


@app.command()
def export(
    fmt: Annotated[Optional[list[str]], typer.Option("--format", help="ttl, nt, nq, trig, jsonld or xml; repeatable; all by default.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write into.")] = Path("dist"),
    endpoint: Annotated[Optional[str], typer.Option("--endpoint", help="The public SPARQL endpoint to name in the description.")] = None,
    base_url: Annotated[str, typer.Option("--base-url", help="Where the files will be downloadable from.")] = "https://w3id.org/oic-tvet/dist/",
    kg: KgOption = None,
) -> None:
    """Export the ontology, the shapes and the graph in every RDF format, described and checksummed.

    Writes to dist/: ontology, shapes and graph as .ttl, .nt, .rdf (merged triples)
    and .nq, .trig, .jsonld (named graphs kept), context.jsonld, ontology.html (the
    ontology's documentation), dataset.ttl (DCAT 3 and VoID: titles in ar/en/fr,
    licence, version, distributions with media types, sizes and SHA-256, triples,
    class and property partitions, example resources, the endpoint if given),
    owl/tvet-kg.owl (ontology and graph in OWL 2 DL for Protégé and reasoners: dates
    as xsd:dateTime, years as integers) and SHA256SUMS (`sha256sum -c SHA256SUMS`).
    """
    from tvetkg.export import export as run_export

    try:
        result = run_export(out_dir, fmt, kg, endpoint, base_url)
    except TvetKgError as error:
        _fail(error)
    figures = result.figures
    out.print(f"graph       {figures['triples']} triples, {figures['entities']} resources, "
              f"{len(figures['classes'])} classes, {len(figures['properties'])} properties, {len(figures['graphs'])} named graphs")
    out.print(f"written     {len(result.files) + 1} files to {out_dir}/: " + ", ".join(sorted(result.files)) + ", SHA256SUMS",
              highlight=False)


@app.command()
def publish(
    endpoint: Annotated[str, typer.Option("--endpoint", help="The server's SPARQL query URL (Oxigraph: http://host:7878/query).")],
    graph: Annotated[Optional[str], typer.Option("--graph", help="Publish everything merged into this one named graph instead of one graph per source.")] = None,
    update_endpoint: Annotated[Optional[str], typer.Option("--update-endpoint", help="SPARQL Update URL (default: …/update beside …/query, else the endpoint).")] = None,
    store_endpoint: Annotated[Optional[str], typer.Option("--store-endpoint", help="Graph Store HTTP Protocol URL (default: …/store beside …/query).")] = None,
    update_only: Annotated[bool, typer.Option("--update-only", help="Load with SPARQL Update INSERT DATA, for servers without the Graph Store Protocol.")] = False,
    user: Annotated[Optional[str], typer.Option("--user", help="User name for HTTP basic authentication.")] = None,
    password: Annotated[Optional[str], typer.Option("--password", help="Password (prefer the TVETKG_PASSWORD environment variable: options show in the process list).")] = None,
    kg: KgOption = None,
) -> None:
    """Load the ontology and the graph into a SPARQL 1.1 server, atomically for readers.

    Each graph goes to a staging graph, its triple count is checked on the server,
    then one SPARQL Update of MOVE operations replaces the published graphs. A failure
    at any step (read, upload, verify, swap) is named, the staging graphs are dropped,
    and the published graphs stay as they were. Exit 0 published, 2 failed.
    """
    from tvetkg.publish import Server, publish as run_publish

    password = password or os.environ.get("TVETKG_PASSWORD")
    try:
        server = Server.from_endpoint(endpoint, update_endpoint, store_endpoint, user, password, not update_only)
        result = run_publish(server, kg, graph, lambda message: err.print(message, style="dim", highlight=False))
    except TvetKgError as error:
        _fail(error)
    for name, count in sorted(result.graphs.items()):
        out.print(f"published  {count:6d} triples  <{name}>", highlight=False)


@app.command()
def template(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the template into.")] = Path("."),
) -> None:
    """Write the spreadsheet to record new activities: activities.csv, organisations.csv and tvet-activities.xlsx.

    One row per activity (type, titles in ar/en/fr, dates as the report writes them,
    modality, venue, organisers, partners, content providers, funders, area,
    programme, counts, countries, status, source and locator), and a second sheet for
    organisations the graph does not know yet. The workbook's `columns` sheet says
    what each column takes.
    """
    from tvetkg.template import write

    for path in write(out_dir):
        out.print(f"written  {path}", highlight=False)


@app.command()
def add(
    files: Annotated[list[Path], typer.Argument(help="Spreadsheets: .csv, .xlsx (activities and organisations sheets) or .yaml.")],
    source: Annotated[Optional[str], typer.Option("--source", help="The source document of every row (an id such as source-oic-vet-progress-report-2024).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be added, write nothing.")] = False,
    kg: KgOption = None,
) -> None:
    """Add activities and organisations from a spreadsheet to kg/, checked before anything is written.

    Organisations, countries and programmes are found by acronym, name in any
    language, ISO code or id. The rows are validated with SHACL together with the
    whole graph; only then is `kg/added-<source>.trig` written, atomically. Any wrong
    cell stops everything and is named: file, sheet, row, column, and the fix. Adding
    the same rows twice adds nothing. Exit 0 added (or nothing new), 2 refused.
    """
    from tvetkg.add import add as run_add

    try:
        result = run_add(files, kg, source, dry_run)
    except TvetKgError as error:
        _fail(error)
    if not result.added:
        out.print("nothing new: every statement is already in the graph")
        return
    subjects = sorted({q.subject.value for q in result.added})
    if dry_run:  # plain lines: rich would take a minute over 100,000 of them
        sys.stdout.write("".join(f"+ {quad}\n" for quad in result.added))
        sys.stdout.flush()
    verb = "would add" if dry_run else "added"
    out.print(f"{verb} {len(result.added)} statements about {len(subjects)} resource{'s' if len(subjects) != 1 else ''}"
              + ("" if dry_run else f" to {result.target}"), highlight=False)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The graph before: a file or a folder.")],
    new: Annotated[Path, typer.Argument(help="The graph after: a file or a folder.")],
) -> None:
    """Show the statements a change adds (+) and removes (-), named graphs included, as N-Quads."""
    from tvetkg.add import diff as run_diff

    try:
        for path in (old, new):
            if not path.exists():
                raise TvetKgError(f"{path}: no such file or folder")
        added, removed = run_diff([old], [new])
    except TvetKgError as error:
        _fail(error)
    for line in removed:
        out.print(f"- {line}", markup=False, highlight=False)
    for line in added:
        out.print(f"+ {line}", markup=False, highlight=False)
    out.print(f"{len(added)} added, {len(removed)} removed")


@app.command()
def stats(kg: KgOption = None, store: StoreOption = None) -> None:
    """Statements, resources per class, statements per source document, label coverage per language."""
    from tvetkg.catalogue import catalogue
    from tvetkg.query import run_local
    from tvetkg.store import open_graph

    try:
        graph = open_graph(kg, store)
        out.print(f"statements (ontology included, each once): {graph.statement_count()}")
        for name, query in catalogue().items():
            if "stats" in query.tags:
                out.print(f"\n[bold]{escape(query.summary)}[/]")
                _print_results(run_local(graph, query.bind({})))
    except TvetKgError as error:
        _fail(error)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[Optional[int], typer.Option("--workers", help="Query worker processes, each holding the graph [default: the cores].")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds a SPARQL query may run, or wait for a worker, before it is stopped (HTTP 503).")] = 30.0,
    max_rows: Annotated[int, typer.Option("--max-rows", help="Most solutions or triples a query may return (more: HTTP 413).")] = 100_000,
    max_bytes: Annotated[str, typer.Option("--max-bytes", help="Largest answer, counted while it is written (more: HTTP 413).")] = "64M",
    max_body: Annotated[str, typer.Option("--max-body", help="Largest request body (more: HTTP 413).")] = "1M",
    queue: Annotated[int, typer.Option("--queue", help="Queries that may wait for a worker; past them, HTTP 503 with Retry-After.")] = 64,
    client_queries: Annotated[int, typer.Option("--client-queries", help="Queries one client (address and User-Agent) may have answered or waiting at once (more: HTTP 429).")] = 2,
    client_seconds: Annotated[float, typer.Option("--client-seconds", help="Seconds of query time one client may use per minute (more: HTTP 429 with Retry-After).")] = 60.0,
    worker_memory: Annotated[str, typer.Option("--worker-memory", help="Memory a query worker may take beyond the loaded graph; past it the worker is replaced (HTTP 500).")] = "2G",
    spare: Annotated[int, typer.Option("--spare", help="Loaded workers kept waiting to replace a stopped one at once.")] = 1,
    inferred: Annotated[bool, typer.Option("--inferred", help="Serve the facts HermiT entails too.")] = False,
    log_level: Annotated[str, typer.Option("--log-level", help="debug, info (one line per request), warning or error.")] = "info",
    kg: KgOption = None,
    store: StoreOption = None,
) -> None:
    """Serve the graph: a read-only SPARQL 1.1 endpoint at /sparql, a page for every IRI, and an explorer.

    Every IRI under https://w3id.org/oic-tvet/ is answered at its path (/id/sesric): HTML for
    browsers, Turtle, N-Triples, JSON-LD or RDF/XML by Accept. Updates and SERVICE are refused
    (HTTP 403); the query workers cannot open network sockets. Stop with Ctrl+C.
    """
    from tvetkg import sizes
    from tvetkg.serve import serve as run_server
    from tvetkg.serve.app import cpu_count
    from tvetkg.serve.site import Limits

    if log_level not in ("debug", "info", "warning", "error"):
        _fail(TvetKgError(f"--log-level {log_level!r}: use debug, info, warning or error"))
    try:
        limits = Limits(workers=cpu_count() if workers is None else workers, timeout=timeout, max_rows=max_rows,
                        max_bytes=sizes.parse(max_bytes, "--max-bytes"), max_body=sizes.parse(max_body, "--max-body"),
                        queue=queue, client_queries=client_queries, client_seconds=client_seconds,
                        worker_memory=sizes.parse(worker_memory, "--worker-memory"), spare=spare)
        run_server(host, port, kg, store, limits, inferred, log_level)
    except TvetKgError as error:
        _fail(error)


CHARTS = ("coverage-by-year",)


@app.command()
def chart(
    name: Annotated[str, typer.Argument(help="The figures to draw: coverage-by-year.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the picture into.")] = Path("build/charts"),
    fmt: Annotated[str, typer.Option("--format", help="png, svg, or png,svg.")] = "png",
    lang: Annotated[str, typer.Option("--lang", help="Language of the labels: ar, en or fr.")] = "en",
    kg: KgOption = None,
    store: StoreOption = None,
    endpoint: Annotated[Optional[str], typer.Option("--endpoint", help="Draw from a SPARQL 1.1 endpoint instead of the embedded store.")] = None,
) -> None:
    """Draw a catalogue query's figures: coverage-by-year as activities and participants per year, stacked by
    cooperation area (the query's rows, the accepted source's counts where sources disagree)."""
    from tvetkg.catalogue import catalogue
    from tvetkg.chart import coverage_by_year

    try:
        if name not in CHARTS:
            raise TvetKgError(f"no chart {name!r}: draw one of {', '.join(CHARTS)}")
        formats = [f.strip() for f in fmt.split(",") if f.strip()]
        if not formats or set(formats) - {"png", "svg"}:
            raise TvetKgError(f"--format {fmt!r}: use png, svg or png,svg")
        if lang not in ("ar", "en", "fr"):
            raise TvetKgError(f"--lang {lang!r}: use ar, en or fr")
        from tvetkg.api import KnowledgeGraph

        rows = list(KnowledgeGraph(kg, store, endpoint).run(catalogue()[name].bind({"lang": lang})).values())
        written = coverage_by_year(rows, [out_dir / f"{name}.{f}" for f in formats], lang)
    except TvetKgError as error:
        _fail(error)
    for path in written:
        out.print(f"written  {path}", highlight=False)


@app.command()
def synth(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the synthetic graph into (replaced whole).")],
    activities: Annotated[int, typer.Option("--activities", help="How many activities to generate.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random generator: the same seed gives the same graph.")] = 0,
    defects: Annotated[float, typer.Option("--defects", help="Share (0-1) of activities and organisations given one known violation.")] = 0.0,
    kg: KgOption = None,
) -> None:
    """Write a synthetic graph shaped like the real one, for benchmarks and tests.

    The folder holds the real graph's files and synthetic.nq: activities of 2009-2025
    with the real types, roles, areas, counts and dates, organisers drawn from a
    heavy-tailed distribution, labels in ar/en/fr. With --defects, planted-defects.csv
    lists each planted violation with the shape and component that must report it.
    Use the folder with `--kg`.
    """
    from tvetkg.synth import synthesise

    try:
        result = synthesise(out_dir, activities, seed, defects, kg)
    except TvetKgError as error:
        _fail(error)
    out.print(f"statements  {result.triples} synthetic (plus the real graph's files)")
    out.print(f"activities  {result.activities}, organisations {result.organisations}")
    out.print(f"defects     {sum(result.planted.values())} planted, of {len(result.planted)} kinds")
    out.print(f"written     {out_dir}/")


def main() -> None:
    app()
