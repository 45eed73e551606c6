"""``--project``: the generated folder is a distribution of its own, proven by building and installing a wheel.

A ``pyproject.toml`` that merely parses is not enough: the package-dir mapping, the
subpackage list and the package data must make pip build a wheel that imports and runs.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from mastra_codegen import __version__ as GENERATOR_VERSION
from mastra_codegen.cli import main
from test_cli import SMALL

tomllib = pytest.importorskip("tomllib", reason="reading TOML needs Python 3.11")

PROJECT = ("--project", "--project-name", "acme-client", "--project-version", "2.3.4")


def run(*args: str) -> Result:
    """The CLI in-process; exceptions propagate so a crash is not mistaken for an exit status."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write_spec(tmp_path: Path) -> Path:
    """The small one-operation spec of test_cli: fast to generate, still has models and resources."""
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SMALL), encoding="utf-8")
    return spec


def generate(tmp_path: Path, *options: str) -> Path:
    """Generate ``<tmp>/out/acme_client`` from the small spec and return the package directory."""
    out = tmp_path / "out" / "acme_client"
    result = run(str(write_spec(tmp_path)), "-o", str(out), *options)
    assert result.exit_code == 0, result.output
    return out


def load_version_module(package_dir: Path) -> Any:
    """``_version.py`` on its own (it imports nothing of the package), under a name no other test uses."""
    spec = importlib.util.spec_from_file_location(f"_version_of_{package_dir.name}", package_dir / "_version.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_option_error(result: Result, option: str) -> None:
    """Bad options get exit status 2 and one line naming the option, like every bad input."""
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert option in lines[0], lines[0]
    assert "Traceback" not in result.output


def test_project_writes_pyproject_with_name_version_and_dependencies(tmp_path: Path) -> None:
    out = generate(tmp_path, *PROJECT)
    pyproject = tomllib.loads((out / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    assert (project["name"], project["version"]) == ("acme-client", "2.3.4")
    dependencies = {dep.split(">")[0].split("=")[0].split("<")[0].strip() for dep in project["dependencies"]}
    assert dependencies == {"httpx", "pydantic"}
    assert pyproject["build-system"]["build-backend"] == "setuptools.build_meta"
    assert pyproject["tool"]["setuptools"]["package-dir"] == {"acme_client": "."}
    assert load_version_module(out).__version__ == "2.3.4"
    assert not (tmp_path / "out" / "pyproject.toml").exists()  # inside the package, not beside it


def test_project_name_defaults_to_the_package_name(tmp_path: Path) -> None:
    out = generate(tmp_path, "--project")
    project = tomllib.loads((out / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert (project["name"], project["version"]) == ("acme-client", GENERATOR_VERSION)


def test_without_project_no_pyproject_is_written(tmp_path: Path) -> None:
    out = generate(tmp_path)
    assert (out / "__init__.py").is_file()
    assert not (out / "pyproject.toml").exists()
    assert load_version_module(out).__version__ == GENERATOR_VERSION


def test_regenerating_without_project_removes_the_pyproject(tmp_path: Path) -> None:
    out = generate(tmp_path, *PROJECT)
    assert (out / "pyproject.toml").is_file()
    generate(tmp_path)
    assert not (out / "pyproject.toml").exists()


@pytest.mark.parametrize(
    ("options", "option"),
    [
        (("--project", "--project-name", "bad name!"), "--project-name"),
        (("--project", "--project-name", "-leading-dash"), "--project-name"),
        (("--project", "--project-version", "v1"), "--project-version"),
        (("--project", "--project-version", "1.2.x"), "--project-version"),
    ],
)
def test_invalid_project_options(tmp_path: Path, options: tuple[str, ...], option: str) -> None:
    out = tmp_path / "out" / "acme_client"
    assert_option_error(run(str(write_spec(tmp_path)), "-o", str(out), *options), option)
    assert not out.exists()


@pytest.mark.parametrize(
    ("options", "option"),
    [
        (("--project-name", "acme-client"), "--project-name"),
        (("--project-version", "2.3.4"), "--project-version"),
    ],
)
def test_project_options_without_project(tmp_path: Path, options: tuple[str, ...], option: str) -> None:
    out = tmp_path / "out" / "acme_client"
    assert_option_error(run(str(write_spec(tmp_path)), "-o", str(out), *options), option)
    assert not out.exists()


def test_check_sees_the_pyproject(tmp_path: Path) -> None:
    out = generate(tmp_path, *PROJECT)
    spec = str(tmp_path / "spec.json")
    up_to_date = run(spec, "-o", str(out), *PROJECT, "--check")
    assert up_to_date.exit_code == 0, up_to_date.output
    assert "up to date" in up_to_date.output

    other_version = run(spec, "-o", str(out), "--project", "--project-name", "acme-client", "--check")
    assert other_version.exit_code == 1, other_version.output
    no_project = run(spec, "-o", str(out), "--check")
    assert no_project.exit_code == 1, no_project.output
    assert "- pyproject.toml" in no_project.output

    pyproject = out / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace("2.3.4", "2.3.5"), encoding="utf-8")
    edited = run(spec, "-o", str(out), *PROJECT, "--check")
    assert edited.exit_code == 1, edited.output
    assert "~ pyproject.toml" in edited.output


def pip(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The pip of the running interpreter, so the test uses the same index settings as the install."""
    return subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_pip_ok(result: subprocess.CompletedProcess[str], what: str) -> None:
    """A failed build fails the test, saying why (a missing setuptools download is not a skip)."""
    if result.returncode == 0:
        return
    hint = ""
    if "setuptools" in result.stderr + result.stdout:
        hint = " (build isolation needs setuptools from the package index: was it reachable?)"
    pytest.fail(f"{what} failed with exit status {result.returncode}{hint}:\n{result.stdout}\n{result.stderr}")


USE_INSTALLED = textwrap.dedent(
    """
    import json
    from importlib import resources

    import httpx

    import acme_client
    from acme_client import MastraClient
    from acme_client._version import __version__

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"id": request.url.path.rsplit("/", 1)[-1]})

    with MastraClient("http://acme.test", http_client=httpx.Client(transport=httpx.MockTransport(handler))) as client:
        thing = client.things.get_thing("t-1")
    files = resources.files("acme_client")
    print(json.dumps({
        "file": acme_client.__file__,
        "version": __version__,
        "thing": [type(thing).__module__, thing.id],
        "py_typed": files.joinpath("py.typed").is_file(),
        "surface": isinstance(json.loads(files.joinpath("_api.json").read_text()), dict),
    }))
    """
)


def test_the_project_builds_a_wheel_that_installs_and_imports(tmp_path: Path) -> None:
    out = generate(tmp_path, *PROJECT)
    wheels = tmp_path / "wheels"
    assert_pip_ok(pip("wheel", "--no-deps", "-w", str(wheels), str(out), cwd=tmp_path), "pip wheel")

    [wheel] = wheels.glob("*.whl")
    assert wheel.name == "acme_client-2.3.4-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read("acme_client-2.3.4.dist-info/METADATA").decode()
    for expected in (
        "acme_client/__init__.py",
        "acme_client/_client.py",
        "acme_client/_version.py",
        "acme_client/_runtime/_base_client.py",
        "acme_client/_runtime/_server_version.py",
        "acme_client/models/__init__.py",
        "acme_client/models/things.py",
        "acme_client/resources/__init__.py",
        "acme_client/resources/things.py",
        "acme_client/py.typed",
        "acme_client/_api.json",
        "acme_client/README.md",
        "acme_client/api.md",
    ):
        assert expected in names, sorted(names)
    assert "acme_client/pyproject.toml" not in names
    assert "acme_client/.mastra-codegen" not in names
    assert not [name for name in names if not name.startswith(("acme_client/", "acme_client-2.3.4.dist-info/"))]
    assert "Name: acme-client" in metadata
    assert "Version: 2.3.4" in metadata
    assert "Requires-Dist: httpx" in metadata
    assert "Requires-Dist: pydantic" in metadata
    assert "Description-Content-Type: text/markdown" in metadata  # the generated README is the description
    assert "# acme_client" in metadata and "pip install ./acme_client" in metadata

    # pip builds in the package folder; its leftovers (build/, *.egg-info) must not upset --check.
    check = run(str(tmp_path / "spec.json"), "-o", str(out), *PROJECT, "--check")
    assert check.exit_code == 0, check.output

    target = tmp_path / "installed"
    assert_pip_ok(
        pip("install", "--no-deps", "--no-index", "--target", str(target), str(wheel), cwd=tmp_path), "pip install"
    )
    assert (target / "acme_client" / "py.typed").is_file()
    assert not (target / "acme_client" / "pyproject.toml").exists()

    # The current interpreter supplies httpx and pydantic; the target only the installed package.
    env = {**os.environ, "PYTHONPATH": str(target)}
    used = subprocess.run(
        [sys.executable, "-c", USE_INSTALLED], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert used.returncode == 0, used.stderr
    report = json.loads(used.stdout)
    assert Path(report["file"]).resolve() == (target / "acme_client" / "__init__.py").resolve()
    assert report["version"] == "2.3.4"
    assert report["thing"] == ["acme_client.models.things", "t-1"]
    assert report["py_typed"] is True
    assert report["surface"] is True
