"""The ontology's documentation as one HTML page, generated offline from ontology/tvet.ttl.

Each class, property and individual of the tvet: namespace with its labels and
definitions in en, ar and fr (English first: the page's title, headings and anchors
are English), its domain and range, its super- and sub-terms, the properties it is
the domain or range of, and its alignments to standard vocabularies; an anchor per
term, its local name, so that `…/ontology.html#Workshop` can be linked. (pyLODE 3.4,
tried on the same file, titles the page in French, lists the declared terms of other
vocabularies as if they were ours, with anchors such as `Organization1`.)
"""

import html
from importlib.resources import files
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from tvetkg.namespaces import PREDECLARED, TVET
from tvetkg.terms import expression

SECTIONS = [(OWL.Class, "Classes"), (OWL.ObjectProperty, "Object properties"),
            (OWL.DatatypeProperty, "Datatype properties"), (OWL.AnnotationProperty, "Annotation properties"),
            (OWL.NamedIndividual, "Individuals")]


def _name(term, graph: rdflib.Graph) -> str:
    """A term as a short name (tvet: terms linked to their anchor), or as a readable class expression."""
    return expression(term, graph, _linked)


def _linked(text: str) -> str:
    if text.startswith(TVET):
        local = text[len(TVET):]
        return f'<a href="#{local}">tvet:{local}</a>'
    for prefix, namespace in PREDECLARED.items():
        if text.startswith(namespace):
            return f"{prefix}:{html.escape(text[len(namespace):])}"
    return html.escape(text)


LANGUAGES = ("en", "ar", "fr")  # English first, the page's language; then the OIC's other two


def _literals(graph, term, prop) -> str:
    """The values of `prop`, English first, each marked with its language and read in its direction."""
    values = sorted(graph.objects(term, prop), key=lambda l: LANGUAGES.index(l.language)
                    if getattr(l, "language", None) in LANGUAGES else len(LANGUAGES))
    return "<br>".join(f'<span class="lang">{v.language or ""}</span> '
                       f'<span lang="{v.language or ""}" dir="{"rtl" if v.language == "ar" else "ltr"}">'
                       f"{html.escape(str(v))}</span>" for v in values)


def _uses(graph: rdflib.Graph, term) -> list[tuple[str, list]]:
    """What names a term from elsewhere in the ontology: its sub-classes or sub-properties, the
    properties it is the domain or range of."""
    tvet = lambda nodes: sorted((n for n in nodes if str(n).startswith(TVET)), key=str)
    return [("super-class of", tvet(graph.subjects(RDFS.subClassOf, term))),
            ("super-property of", tvet(graph.subjects(RDFS.subPropertyOf, term))),
            ("in domain of", tvet(graph.subjects(RDFS.domain, term))),
            ("in range of", tvet(graph.subjects(RDFS.range, term)))]


def write_ontology_page(ontology: Path, path: Path) -> Path:
    graph = rdflib.Graph().parse(str(ontology), format="turtle")
    header = next(graph.subjects(RDF.type, OWL.Ontology))
    english = lambda term, prop: next((str(v) for v in graph.objects(term, prop) if v.language == "en"), "")
    body = [f"<h1>{html.escape(english(header, rdflib.DCTERMS.title))}</h1>",
            f"<p>{_literals(graph, header, rdflib.DCTERMS.title)}</p>",
            "<table>",
            f"<tr><td>namespace</td><td><code>{TVET}</code> (prefix <code>tvet:</code>)</td></tr>",
            f"<tr><td>version</td><td>{html.escape(str(graph.value(header, OWL.versionInfo)))} "
            f"(<code>{html.escape(str(graph.value(header, OWL.versionIRI)))}</code>)</td></tr>",
            f"<tr><td>licence</td><td><code>{html.escape(str(graph.value(header, rdflib.DCTERMS.license)))}</code></td></tr>",
            f"<tr><td>description</td><td>{_literals(graph, header, rdflib.DCTERMS.description)}</td></tr>",
            "</table>"]
    toc, sections = [], []
    for kind, title in SECTIONS:
        terms = sorted(t for t in graph.subjects(RDF.type, kind) if str(t).startswith(TVET))
        if not terms:
            continue
        anchor = title.lower().replace(" ", "-")
        toc.append(f'<li><a href="#{anchor}">{title}</a> ({len(terms)})</li>')
        sections.append(f'<h2 id="{anchor}">{title}</h2>')
        for term in terms:
            local = str(term)[len(TVET):]
            rows = [("IRI", f"<code>{html.escape(str(term))}</code>"), ("label", _literals(graph, term, RDFS.label)),
                    ("definition", _literals(graph, term, SKOS.definition))]
            for name, prop in (("sub-class of", RDFS.subClassOf), ("equivalent to", OWL.equivalentClass),
                               ("disjoint with", OWL.disjointWith), ("domain", RDFS.domain), ("range", RDFS.range),
                               ("sub-property of", RDFS.subPropertyOf), ("inverse of", OWL.inverseOf),
                               ("type", RDF.type), ("exact match", SKOS.exactMatch),
                               ("IATI role", rdflib.URIRef(TVET + "iatiOrganisationRole"))):
                values = sorted(graph.objects(term, prop), key=str)
                if values:
                    rows.append((name, ", ".join(_name(v, graph) if not isinstance(v, rdflib.Literal)
                                                 else html.escape(str(v)) for v in values)))
            rows += [(name, ", ".join(_name(v, graph) for v in values)) for name, values in _uses(graph, term) if values]
            table = "".join(f"<tr><td>{n}</td><td>{v}</td></tr>" for n, v in rows if v)
            sections.append(f'<div class="term" id="{local}"><h3>{html.escape(english(term, RDFS.label) or local)} '
                            f"<code>tvet:{local}</code></h3><table>{table}</table></div>")
    body.append(f"<nav><ul>{''.join(toc)}</ul></nav>")
    body += sections
    page = files("tvetkg").joinpath("templates/ontology.html").read_text(encoding="utf-8")
    page = page.replace("__TITLE__", html.escape(english(header, rdflib.DCTERMS.title))).replace("__BODY__", "\n".join(body))
    Path(path).write_text(page, encoding="utf-8")
    return Path(path)
