"""The README: every command is documented, and its examples run and show what they claim."""

import re
import shlex
import shutil
import sys

import pytest

from conftest import FIXTURES, ROOT
from tvetkg import paths
from tvetkg.cli import app

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands)


def _examples():
    """Each `$ tvetkg ...` line of the README with the output shown under it."""
    examples = []
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", README, re.S | re.M):
        for chunk in re.split(r"^(?=\$ )", block, flags=re.M):
            if chunk.startswith("$ tvetkg "):
                command, _, shown = chunk.partition("\n")
                examples.append((command[2:], shown))
    return examples


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented(command):
    assert f"### `tvetkg {command}" in README


def test_the_readme_set_up_commands_are_the_makefile_targets():
    makefile = (ROOT / "Makefile").read_text()
    assert "make build" in README and "make test" in README
    assert "\nbuild:" in makefile and "\ntest:" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """One folder for every README example, prepared as the README assumes, used in the README's order."""
    from test_add import NEW, _sheet

    folder = tmp_path_factory.mktemp("readme")
    my_kg = folder / "my-kg"
    shutil.copytree(paths.kg_dir(), my_kg)
    shutil.copy(FIXTURES / "shapes" / "ActivityShape-end-before-start.ttl", my_kg / "new.ttl")
    (folder / "broken").mkdir()
    (folder / "broken" / "bad.ttl").write_text('@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:d ex:e "unterminated .\nex:f ex:g ex:h .\n')
    shutil.copytree(paths.kg_dir(), folder / "kg")
    shutil.copytree(paths.kg_dir(), folder / "old-kg")
    shutil.move(_sheet(folder, NEW), folder / "new-activities.csv")
    shutil.move(_sheet(folder, {**NEW, "participants": "sixty-four", "partners": "Ministry of Magic"}), folder / "bad.csv")
    return folder


@pytest.mark.parametrize("command, shown", _examples(), ids=[c for c, _ in _examples()])
def test_readme_example(cli, workdir, monkeypatch, command, shown):
    monkeypatch.chdir(workdir)
    args = shlex.split(command, comments=True)[1:]
    if "publish" in args:
        from servers import free_port, oxigraph_server

        if "down" in command:
            args = [a.replace("127.0.0.1:7878", f"127.0.0.1:{free_port()}") for a in args]
            code, out, err = cli(*args)
        else:
            with oxigraph_server(workdir) as base:
                code, out, err = cli(*[a.replace("http://127.0.0.1:7878", base) for a in args])
    else:
        code, out, err = cli(*args)
    errors = [line for line in shown.splitlines() if line.startswith("error:")]
    if errors:
        assert code == 2
        # the staging graph's name is new on every run
        normal = lambda text: re.sub(r"staging%3A\w+|127.0.0.1:\d+", "…", text)
        assert normal("\n".join(err.strip().splitlines()[-len(shown.strip().splitlines()):])) == normal(shown.strip())
        return
    assert code == (1 if "does not conform" in shown else 0), out + err
    if "--format csv" in command:
        assert out.splitlines() == shown.strip().splitlines()
    else:
        for line in shown.splitlines():
            words = re.findall(r"[\w:.-]+", line)
            if words and "…" not in line and not line.startswith(("seconds", "written  build")):
                for word in words:
                    assert word in out, f"{word!r} of the README is not in the output"


def test_countries_regenerate_identically(tmp_path):
    sys.path.insert(0, str(ROOT / "tools"))
    import make_countries

    out = tmp_path / "countries.trig"
    make_countries.main(out)
    assert out.read_text(encoding="utf-8") == (paths.kg_dir() / "reference-countries.trig").read_text(encoding="utf-8")


def test_the_data_ships_with_the_package():
    root = paths.data_root()
    assert (root / "ontology" / "tvet.ttl").is_file()
    assert list((root / "shapes").glob("*.shape.ttl"))
    assert list((root / "queries").glob("*.rq"))
    assert list((root / "kg").glob("*.trig"))


def test_the_readme_python_example_prints_what_it_shows(capsys):
    """The README's notebook example, run as it is: it must print the output shown under it."""
    blocks = re.findall(r"^```python\n(.*?)^```\n\nprints\n\n```text\n(.*?)^```", README, re.S | re.M)
    assert blocks, "no Python example in the README"
    for code, shown in blocks:
        exec(compile(code, "README.md", "exec"), {})
        assert capsys.readouterr().out == shown
