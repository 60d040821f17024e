"""`tvetkg synth`: a synthetic graph, shaped like the real one, at any size.

The folder written holds the real graph's files (countries, organisations,
programmes, the roadmap) and `synthetic.nq`: years 2009-2025 of activities with
the real graph's types, roles, areas, counts and dates, organisers drawn from a
heavy-tailed (Zipf) distribution so a few organs run most activities, labels in
Arabic, English and French. It conforms to the shapes.

`--defects RATE` plants, in that share of the activities and organisations, one
known violation each, cycling through a list that breaks every shape; the
planted defects are listed in `planted-defects.csv` (focus node, defect, the
shape and component it must trip).
"""

import csv
import random
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pyoxigraph as ox
import yaml

from tvetkg import paths
from tvetkg.errors import TvetKgError
from tvetkg.folders import replaced_folder
from tvetkg.load import graph_files, load_all
from tvetkg.namespaces import ID, TVET

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCTERMS = "http://purl.org/dc/terms/"
YEARS = range(2009, 2026)
VOCABULARY = Path(__file__).parent / "data" / "synth-vocabulary.yaml"


def iri(value: str) -> str:
    return f"<{value}>"


def lit(value, lang: str | None = None, datatype: str | None = None) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if lang:
        return f'"{text}"@{lang}'
    if datatype:
        return f'"{text}"^^<{datatype}>'
    return f'"{text}"'


def t(name: str) -> str:
    return iri(TVET + name)


def i(name: str) -> str:
    return iri(ID + name)


@dataclass
class Resource:
    subject: str
    graph: str
    props: list[tuple[str, str]] = field(default_factory=list)

    def add(self, prop: str, *objects: str) -> None:
        self.props.extend((prop, o) for o in objects)

    def drop(self, prop: str) -> None:
        self.props = [(p, o) for p, o in self.props if p != prop]

    def values(self, prop: str) -> list[str]:
        return [o for p, o in self.props if p == prop]


@dataclass
class Synthesis:
    folder: Path
    triples: int = 0
    activities: int = 0
    organisations: int = 0
    planted: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class Defect:
    """A known violation: what it does to a resource, and the shape and component that must report it."""

    name: str
    shape: str
    component: str
    plant: object


def _labels(words: dict, suffix: str = "") -> list[str]:
    return [lit(words[lang] + suffix, lang=lang) for lang in ("ar", "en", "fr")]


class Generator:
    def __init__(self, activities: int, seed: int, defects: float, kg_dir: Path):
        if activities < 0:
            raise TvetKgError("--activities must be 0 or more")
        if not 0 <= defects <= 1:
            raise TvetKgError("--defects is a share of the resources, from 0 to 1")
        self.n = activities
        self.rng = random.Random(seed)
        self.rate = defects
        self.vocabulary = yaml.safe_load(VOCABULARY.read_text(encoding="utf-8"))
        store = ox.Store()
        load_all(store, paths.ontology_file(), graph_files(kg_dir))
        union = {"use_default_graph_as_union": True}
        self.countries = [
            (r["c"].value, {k: r[k].value for k in ("ar", "en", "fr")})
            for r in store.query("""
                PREFIX tvet: <https://w3id.org/oic-tvet/ontology#>
                PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
                SELECT ?c ?ar ?en ?fr WHERE {
                    ?c a tvet:Country ; tvet:memberOf <https://w3id.org/oic-tvet/id/oic> ;
                       rdfs:label ?ar , ?en , ?fr .
                    FILTER (LANG(?ar) = "ar" && LANG(?en) = "en" && LANG(?fr) = "fr")
                } ORDER BY ?c""", **union)]
        self.non_members = [r["c"].value for r in store.query("""
            PREFIX tvet: <https://w3id.org/oic-tvet/ontology#>
            SELECT ?c WHERE { ?c a tvet:Country FILTER NOT EXISTS { ?c tvet:memberOf <https://w3id.org/oic-tvet/id/oic> } }
            ORDER BY ?c""", **union)]
        # The real organisations by the number of activities they take part in: the head of the tail.
        self.real_orgs = [r["o"].value for r in store.query("""
            PREFIX tvet: <https://w3id.org/oic-tvet/ontology#>
            SELECT ?o (COUNT(DISTINCT ?a) AS ?n) WHERE {
                ?o a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* tvet:Organisation .
                OPTIONAL { ?a tvet:organiser|tvet:partner|tvet:contentProvider|tvet:funder ?o }
            } GROUP BY ?o ORDER BY DESC(?n) ?o""", **union)]
        if not self.countries or not self.real_orgs:
            raise TvetKgError(f"{kg_dir}: the synthetic graph needs the real graph's countries and organisations")
        self.resources: list[Resource] = []
        self.planted: list[tuple[str, Defect]] = []

    # -- the graph ----------------------------------------------------------------

    def generate(self) -> list[Resource]:
        sources = {year: self.source(year) for year in YEARS}
        registry = self.source_registry()
        orgs = self.organisations(max(30, self.n // 20), registry)
        programmes = self.programmes(max(3, self.n // 400), orgs, registry)
        self.people(max(1, self.n // 50), orgs, registry)
        weights = [1 / (rank + 1) ** 1.2 for rank in range(len(orgs))]
        activity_kinds = list(self.vocabulary["activity_types"])
        kind_weights = [40, 10, 20, 15, 10, 5]
        number = 0
        while number < self.n:
            kind = self.rng.choices(activity_kinds, kind_weights)[0]
            year = self.rng.choices(YEARS, [y - 2007 for y in YEARS])[0]
            activity = self.activity(number, kind, year, sources[year], orgs, weights, programmes)
            number += 1
            if kind == "Project":
                for _ in range(min(self.rng.randint(2, 3), self.n - number)):
                    sub_kind = self.rng.choice(["TrainingCourse", "Workshop", "Webinar"])
                    sub = self.activity(number, sub_kind, year, sources[year], orgs, weights, programmes)
                    sub.add(t("partOf"), activity.subject)
                    number += 1
        self.plant_defects()
        return self.resources

    def new(self, subject: str, graph: str) -> Resource:
        resource = Resource(subject, graph)
        self.resources.append(resource)
        return resource

    def source(self, year: int) -> str:
        subject = i(f"synth-source-sesric-report-{year}")
        doc = self.new(subject, subject)
        doc.add(RDF_TYPE, t("SourceDocument"))
        doc.add(RDFS_LABEL, *_labels({"ar": "تقرير سيسريك السنوي", "en": "SESRIC annual report", "fr": "Rapport annuel du SESRIC"}, f" {year}"))
        doc.add(iri(DCTERMS + "title"), lit(f"تقرير الأنشطة في مجال التعليم والتدريب الفني والمهني {year}", lang="ar"),
                lit(f"Report on TVET activities {year} (synthetic)", lang="en"))
        doc.add(iri(DCTERMS + "language"), lit("ar"))
        doc.add(iri(DCTERMS + "date"), lit(year, datatype=XSD + "gYear"))
        doc.add(iri(DCTERMS + "publisher"), i("sesric"))
        return subject

    def source_registry(self) -> str:
        subject = i("synth-source-registry")
        doc = self.new(subject, subject)
        doc.add(RDF_TYPE, t("SourceDocument"))
        doc.add(RDFS_LABEL, *_labels({"ar": "سجل الهيئات الاصطناعي", "en": "Synthetic register of bodies", "fr": "Registre synthétique des organismes"}))
        doc.add(iri(DCTERMS + "title"), lit("Synthetic register of TVET bodies of the OIC member states", lang="en"))
        doc.add(iri(DCTERMS + "language"), lit("en"))
        doc.add(iri(DCTERMS + "date"), lit("2025-12-31", datatype=XSD + "date"))
        doc.add(iri(DCTERMS + "publisher"), i("sesric"))
        return subject

    def organisations(self, count: int, registry: str) -> list[str]:
        kinds = self.vocabulary["organisation_kinds"]
        seen = Counter()
        orgs = [iri(o) for o in self.real_orgs]
        for number in range(count):
            kind = self.rng.choice(list(kinds))
            country, names = self.rng.choice(self.countries)
            seen[kind, country] += 1
            suffix = f" ({seen[kind, country]})" if seen[kind, country] > 1 else ""
            org = self.new(i(f"synth-org-{number}"), registry)
            org.add(RDF_TYPE, t(kind))
            org.add(RDFS_LABEL, *[lit(f"{kinds[kind][lang]} {names[lang]}{suffix}", lang=lang) for lang in ("ar", "en", "fr")])
            org.add(t("basedIn"), iri(country))
            if self.rng.random() < 0.3:
                org.add(t("acronym"), lit(f"SO{number}"))
            org.add(t("source"), registry)
            org.add(t("sourceLocator"), lit(f"organisation {number}"))
            orgs.append(org.subject)
        return orgs

    def programmes(self, count: int, orgs: list[str], registry: str) -> list[str]:
        out = [i("oic-vet")]
        for number in range(count):
            programme = self.new(i(f"synth-programme-{number}"), registry)
            programme.add(RDF_TYPE, t("CapacityBuildingProgramme"))
            programme.add(RDFS_LABEL, *_labels({"ar": "برنامج بناء القدرات", "en": "Capacity-building programme",
                                                "fr": "Programme de renforcement des capacités"}, f" {number}"))
            programme.add(t("executiveOrgan"), self.rng.choice(orgs[:10]))
            programme.add(t("source"), registry)
            out.append(programme.subject)
        return out

    def people(self, count: int, orgs: list[str], registry: str) -> None:
        for number in range(count):
            person = self.new(i(f"synth-person-{number}"), registry)
            person.add(RDF_TYPE, t("Person"))
            person.add(RDFS_LABEL, lit(f"الخبير {number}", lang="ar"), lit(f"Expert {number}", lang="en"), lit(f"Expert {number}", lang="fr"))
            person.add(t("affiliation"), self.rng.choice(orgs))
            person.add(t("position"), lit("خبير", lang="ar"), lit("Expert", lang="en"))
            person.add(t("source"), registry)

    def activity(self, number, kind, year, source, orgs, weights, programmes) -> Resource:
        rng = self.rng
        topic = rng.choice(self.vocabulary["topics"])
        prefix = self.vocabulary["activity_types"][kind]
        a = self.new(i(f"synth-activity-{number}"), source)
        a.add(RDF_TYPE, t(kind))
        a.add(RDFS_LABEL, *[lit(f"{prefix[lang]} {topic[lang]}, {year} ({number})", lang=lang) for lang in ("ar", "en", "fr")])
        a.add(t("source"), source)
        a.add(t("sourceLocator"), lit(f"item {number % 40 + 1}"))
        start = date(year, 1, 1) + timedelta(days=rng.randrange(300))
        end = start + timedelta(days=rng.choice([0, 0, 1, 2, 4, 30 if kind == "Project" else 3]))
        a.add(t("startDate"), lit(start.isoformat(), datatype=XSD + "date"))
        a.add(t("endDate"), lit(end.isoformat(), datatype=XSD + "date"))
        organisers = {orgs[k] for k in self._zipf(weights, rng.choice([1, 1, 1, 2]))}
        a.add(t("organiser"), *sorted(organisers))
        partners = {orgs[k] for k in self._zipf(weights, rng.choice([0, 1, 1, 2, 3]))} - organisers
        if partners:
            a.add(t("partner"), *sorted(partners))
        a.add(t("status"), t("Planned") if year == 2025 and rng.random() < 0.3 else t("Held"))
        a.add(t("programme"), programmes[0] if rng.random() < 0.6 else rng.choice(programmes))
        if kind != "Meeting" and kind != "Project":
            country_count = rng.randint(1, 30)
            a.add(t("countryCount"), lit(country_count, datatype=XSD + "nonNegativeInteger"))
            a.add(t("participantCount"), lit(rng.randint(8, 300), datatype=XSD + "nonNegativeInteger"))
            listed = rng.sample(self.countries, min(rng.randint(0, 5), country_count))
            if listed:
                a.add(t("participatingCountry"), *[iri(c) for c, _ in listed])
            a.add(t("cooperationArea"), i(f"cooperation-area-{rng.randint(1, 4)}"))
            modality = "Online" if kind == "Webinar" else rng.choice(["Online", "InPerson", "InPerson", "Hybrid"])
            a.add(t("modality"), t(modality))
            if modality != "Online":
                country, names = rng.choice(self.countries)
                a.add(t("venueCountry"), iri(country))
            if rng.random() < 0.3:
                audience = rng.choice(self.vocabulary["audiences"])
                a.add(t("targetAudience"), lit(audience["ar"], lang="ar"), lit(audience["en"], lang="en"))
        return a

    def _zipf(self, weights: list[float], count: int) -> list[int]:
        return self.rng.choices(range(len(weights)), weights, k=count) if count else []

    # -- defects ------------------------------------------------------------------

    def plant_defects(self) -> None:
        if not self.rate:
            return
        activities = [r for r in self.resources if "synth-activity-" in r.subject]
        organisations = [r for r in self.resources if "synth-org-" in r.subject]
        for pool, defects in ((activities, ACTIVITY_DEFECTS), (organisations, ORGANISATION_DEFECTS)):
            queue = list(defects)  # the kinds least recently planted first: one that needs a rare
            for resource in pool:  # resource (a sub-activity) waits at the front until one comes
                if self.rng.random() >= self.rate:
                    continue
                for defect in queue:
                    if defect.plant(resource, self):
                        self.planted.append((resource.subject, defect))
                        queue.remove(defect)
                        queue.append(defect)
                        break

    # -- writing ------------------------------------------------------------------

    def write(self, path: Path) -> int:
        count = 0
        with path.open("w", encoding="utf-8") as out:
            for resource in self.resources:
                graph = resource.graph
                for prop, obj in resource.props:
                    out.write(f"{resource.subject} {prop} {obj} {graph} .\n")
                    count += 1
        return count


# ---------------------------------------------------------------------------
# Defects, one per shape and component of the shapes files
# ---------------------------------------------------------------------------

def _drop(prop):
    def plant(r: Resource, g: Generator) -> bool:
        if not r.values(prop):
            return False
        r.drop(prop)
        return True
    return plant


def _drop_label(lang):
    def plant(r: Resource, g: Generator) -> bool:
        r.props = [(p, o) for p, o in r.props if not (p == RDFS_LABEL and o.endswith(f"@{lang}"))]
        return True
    return plant


def _replace(prop, make):
    def plant(r: Resource, g: Generator) -> bool:
        if not r.values(prop):
            return False
        old = r.values(prop)[0]
        r.props = [(p, o) for p, o in r.props if (p, o) != (prop, old)]
        r.add(prop, make(old, g))
        return True
    return plant


def _add(prop, make, *more: str):
    def plant(r: Resource, g: Generator) -> bool:
        r.add(prop, make(r, g), *more)
        return True
    return plant


def _with(prop, plant_inner):
    """Only for resources that have `prop` (such as the capacity-building activities' counts)."""
    def plant(r: Resource, g: Generator) -> bool:
        return bool(r.values(prop)) and plant_inner(r, g)
    return plant


def _retype(r: Resource, g: Generator) -> bool:
    r.drop(RDF_TYPE)
    r.add(RDF_TYPE, t("Activity"))
    return True


def _later_start(r: Resource, g: Generator) -> bool:
    end = r.values(t("endDate"))[0]
    day = date.fromisoformat(end.split('"')[1]) + timedelta(days=5)
    r.drop(t("startDate"))
    r.add(t("startDate"), lit(day.isoformat(), datatype=XSD + "date"))
    return True


def _reset(values, needs: str | None = None):
    """Give properties new values (computed from the generator), where the resource has `needs`."""
    def plant(r: Resource, g: Generator) -> bool:
        if needs and not r.values(needs):
            return False
        for prop, objects in values(g).items():
            r.drop(prop)
            r.add(prop, *objects)
        return True
    return plant


_impossible_start = _reset(lambda g: {t("startDate"): [lit("2024-02-30", datatype=XSD + "date")], t("endDate"): []})
_more_countries = _reset(lambda g: {t("countryCount"): [lit(1, datatype=XSD + "nonNegativeInteger")],
                                    t("participatingCountry"): [iri(c) for c, _ in g.countries[:2]]},
                         needs=t("countryCount"))
_outside_project = _reset(lambda g: {t("startDate"): [lit("2008-06-01", datatype=XSD + "date")],
                                     t("endDate"): [lit("2008-06-02", datatype=XSD + "date")]},
                          needs=t("partOf"))


def _missing_organiser(r: Resource, g: Generator) -> bool:
    r.drop(t("organiser"))
    return True


def _unknown_country(r: Resource, g: Generator) -> bool:
    r.add(t("participatingCountry"), i("country-xyz"))
    return True


def _non_member(r: Resource, g: Generator) -> bool:
    if not g.non_members or not r.values(t("countryCount")):
        return False
    r.drop(t("participatingCountry"))
    r.add(t("participatingCountry"), iri(g.non_members[0]))
    return True


ACTIVITY_DEFECTS = [
    Defect("missing Arabic label", "tvetsh:LabelArShape", "sh:QualifiedMinCountConstraintComponent", _drop_label("ar")),
    Defect("missing English label", "tvetsh:LabelEnShape", "sh:QualifiedMinCountConstraintComponent", _drop_label("en")),
    Defect("missing French label", "tvetsh:LabelFrShape", "sh:QualifiedMinCountConstraintComponent", _drop_label("fr")),
    Defect("two English labels", "tvetsh:LabelUniqueLangShape", "sh:UniqueLangConstraintComponent",
           _add(RDFS_LABEL, lambda r, g: lit("Another name", lang="en"))),
    Defect("label that is not text", "tvetsh:LabelUniqueLangShape", "sh:NodeKindConstraintComponent",
           _add(RDFS_LABEL, lambda r, g: i("not-a-label"))),
    Defect("no specific activity type", "tvetsh:ActivityTypeShape", "sh:SPARQLConstraintComponent", _retype),
    Defect("no organiser", "tvetsh:ActivityOrganiserShape", "tvet:RequiredUnlessNotStatedConstraintComponent", _missing_organiser),
    Defect("no source", "tvetsh:ActivitySourceShape", "sh:MinCountConstraintComponent", _drop(t("source"))),
    Defect("source that is not a document", "tvetsh:ActivitySourceShape", "sh:ClassConstraintComponent",
           _replace(t("source"), lambda old, g: i("sesric"))),
    Defect("no source locator", "tvetsh:ActivityLocatorShape", "sh:MinCountConstraintComponent", _drop(t("sourceLocator"))),
    Defect("source locator with a language tag", "tvetsh:ActivityLocatorShape", "sh:DatatypeConstraintComponent",
           _replace(t("sourceLocator"), lambda old, g: lit("item 1", lang="en"))),
    Defect("no start date", "tvetsh:ActivityStartDateRequiredShape", "tvet:RequiredUnlessNotStatedConstraintComponent", _drop(t("startDate"))),
    Defect("two start dates in one source", "tvetsh:OneValuePerSourceShape", "sh:SPARQLConstraintComponent",
           _add(t("startDate"), lambda r, g: lit("2009-01-01", datatype=XSD + "date"))),
    # Without an end date: pySHACL (0.40) raises TypeError comparing an ill-typed date with sh:lessThanOrEquals.
    Defect("impossible start date", "tvetsh:ActivityStartDateShape", "sh:OrConstraintComponent", _impossible_start),
    Defect("start after end", "tvetsh:DatesInOrderShape", "sh:SPARQLConstraintComponent", _later_start),
    Defect("end date as text", "tvetsh:ActivityEndDateShape", "sh:OrConstraintComponent",
           _replace(t("endDate"), lambda old, g: lit(old.split('"')[1]))),
    Defect("participant count as xsd:integer", "tvetsh:ActivityParticipantCountShape", "sh:DatatypeConstraintComponent",
           _replace(t("participantCount"), lambda old, g: lit(old.split('"')[1], datatype=XSD + "integer"))),
    Defect("negative participant count", "tvetsh:ActivityParticipantCountShape", "sh:MinInclusiveConstraintComponent",
           _replace(t("participantCount"), lambda old, g: lit(-3, datatype=XSD + "integer"))),
    Defect("two participant counts in one source", "tvetsh:OneValuePerSourceShape", "sh:SPARQLConstraintComponent",
           _with(t("participantCount"), _add(t("participantCount"), lambda r, g: lit(int(r.values(t("participantCount"))[0].split('"')[1]) + 1, datatype=XSD + "nonNegativeInteger")))),
    Defect("country count above 57", "tvetsh:ActivityCountryCountShape", "sh:MaxInclusiveConstraintComponent",
           _replace(t("countryCount"), lambda old, g: lit(60, datatype=XSD + "nonNegativeInteger"))),
    Defect("cooperation area outside the roadmap", "tvetsh:ActivityCooperationAreaShape", "sh:InConstraintComponent",
           _replace(t("cooperationArea"), lambda old, g: i("cooperation-area-5"))),
    Defect("two modalities in one source", "tvetsh:OneValuePerSourceShape", "sh:SPARQLConstraintComponent",
           _with(t("modality"), _add(t("modality"), lambda r, g: t("Hybrid") if r.values(t("modality"))[0] != t("Hybrid") else t("Online")))),
    Defect("unknown status", "tvetsh:ActivityStatusShape", "sh:InConstraintComponent",
           _replace(t("status"), lambda old, g: t("Cancelled"))),
    Defect("organiser that is not an organisation", "tvetsh:ActivityRoleShape-organiser", "sh:ClassConstraintComponent",
           _add(t("organiser"), lambda r, g: i("country-tur"))),
    Defect("unknown partner", "tvetsh:ActivityRoleShape-partner", "sh:ClassConstraintComponent",
           _add(t("partner"), lambda r, g: i("synth-unknown-body"))),
    Defect("funder that is not an organisation", "tvetsh:ActivityRoleShape-funder", "sh:ClassConstraintComponent",
           _add(t("funder"), lambda r, g: i("oic-vet"))),
    Defect("programme that is not a programme", "tvetsh:ActivityProgrammeShape", "sh:ClassConstraintComponent",
           _replace(t("programme"), lambda old, g: i("sesric"))),
    Defect("part of something that is not a project", "tvetsh:ActivityPartOfShape", "sh:ClassConstraintComponent",
           _add(t("partOf"), lambda r, g: i("sesric"))),
    Defect("participating country not an OIC member", "tvetsh:ActivityParticipatingCountryShape", "sh:NodeConstraintComponent", _non_member),
    Defect("unknown participating country", "tvetsh:ActivityParticipatingCountryShape", "sh:ClassConstraintComponent", _unknown_country),
    Defect("two venue countries in one source", "tvetsh:OneValuePerSourceShape", "sh:SPARQLConstraintComponent",
           _with(t("venueCountry"), _add(t("venueCountry"), lambda r, g: i("country-sen") if r.values(t("venueCountry"))[0] != i("country-sen") else i("country-mli")))),
    Defect("more countries listed than counted", "tvetsh:ActivityCountryListShape", "sh:SPARQLConstraintComponent", _more_countries),
    Defect("sub-activity outside its project's years", "tvetsh:ActivityWithinProjectShape", "sh:SPARQLConstraintComponent", _outside_project),
    Defect("target audience without a language", "tvetsh:ActivityTargetAudienceShape", "sh:DatatypeConstraintComponent",
           _add(t("targetAudience"), lambda r, g: lit("trainers"))),
    Defect("two venue cities in English in one source", "tvetsh:OneValuePerSourceShape", "sh:SPARQLConstraintComponent",
           _add(t("venueCity"), lambda r, g: lit("Dakar", lang="en"), lit("Thiès", lang="en"))),
    Defect("no participant count (warning)", "tvetsh:CapacityBuildingActivityShape-participantCount",
           "tvet:RequiredUnlessNotStatedConstraintComponent", _drop(t("participantCount"))),
    Defect("no country count (warning)", "tvetsh:CapacityBuildingActivityShape-countryCount",
           "tvet:RequiredUnlessNotStatedConstraintComponent", lambda r, g: _drop(t("countryCount"))(r, g) and (r.drop(t("participatingCountry")) or True)),
    Defect("no modality (warning)", "tvetsh:CapacityBuildingActivityShape-modality",
           "tvet:RequiredUnlessNotStatedConstraintComponent", _drop(t("modality"))),
    Defect("no cooperation area (warning)", "tvetsh:CapacityBuildingActivityShape-cooperationArea",
           "tvet:RequiredUnlessNotStatedConstraintComponent", _drop(t("cooperationArea"))),
    Defect("no status (warning)", "tvetsh:ActivityShape-status", "tvet:RequiredUnlessNotStatedConstraintComponent", _drop(t("status"))),
    Defect("no end date (warning)", "tvetsh:ActivityShape-endDate", "tvet:RequiredUnlessNotStatedConstraintComponent", _drop(t("endDate"))),
]

ORGANISATION_DEFECTS = [
    Defect("two seats", "tvetsh:OrganisationShape", "sh:MaxCountConstraintComponent",
           _add(t("basedIn"), lambda r, g: i("country-tur") if r.values(t("basedIn"))[0] != i("country-tur") else i("country-egy"))),
    Defect("seat that is not a country", "tvetsh:OrganisationShape", "sh:ClassConstraintComponent",
           _replace(t("basedIn"), lambda old, g: i("sesric"))),
    Defect("acronym with spaces around it", "tvetsh:OrganisationShape", "sh:PatternConstraintComponent",
           _add(t("acronym"), lambda r, g: lit(" SO "))),
    Defect("parent that is not an organisation", "tvetsh:OrganisationShape", "sh:ClassConstraintComponent",
           _add(t("subOrganisationOf"), lambda r, g: i("country-tur"))),
    Defect("no source", "tvetsh:OrganisationShape", "sh:MinCountConstraintComponent", _drop(t("source"))),
    Defect("no seat (warning)", "tvetsh:OrganisationShape-basedIn", "tvet:RequiredUnlessNotStatedConstraintComponent", _drop(t("basedIn"))),
    Defect("untyped organisation", "tvetsh:OrganisationShape", "sh:ClassConstraintComponent", _drop(RDF_TYPE)),
]


def synthesise(out_dir: Path, activities: int, seed: int = 0, defects: float = 0.0, kg_dir: Path | None = None) -> Synthesis:
    """Write the real graph's files and a synthetic one into `out_dir`, whole or not at all."""
    kg = Path(kg_dir or paths.kg_dir())
    generator = Generator(activities, seed, defects, kg)
    generator.generate()
    result = Synthesis(Path(out_dir))
    with replaced_folder(Path(out_dir)) as staging:
        for path in graph_files(kg):
            target = staging / path.relative_to(kg)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        result.triples = generator.write(staging / "synthetic.nq")
        with (staging / "planted-defects.csv").open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["focus", "defect", "shape", "component"])
            for subject, defect in generator.planted:
                writer.writerow([subject.strip("<>").replace(ID, "id:"), defect.name, defect.shape, defect.component])
    result.activities = sum(1 for r in generator.resources if "synth-activity-" in r.subject)
    result.organisations = sum(1 for r in generator.resources if "synth-org-" in r.subject)
    result.planted = Counter(defect.name for _, defect in generator.planted)
    return result
