"""OpenAPI feature coverage: two feature documents through the whole pipeline, then the output used.

``tests/fixtures/features/clinic-3.0.yaml`` (OpenAPI 3.0, ``nullable``) and
``library-3.1.json`` (3.1: type arrays with null, ``const``, ``prefixItems``,
``patternProperties``) together cover unions with and without a discriminator, enums,
recursion, maps, awkward names, every parameter location and style, multipart uploads,
form bodies, raw bodies, deprecated and untagged operations. Each is generated once for the
module; then the models are validated against samples (and made to reject bad ones) and the
clients, sync and async, are driven against ``httpx.MockTransport``.

Untagged operations land in a group named after the first word of their path, version and
``api`` prefixes skipped: ``GET /health`` is ``client.health.get_health()``, ``GET /v2/ping``
is ``client.ping.get_ping()``, ``GET /`` is ``client.default.get()``.
"""

from __future__ import annotations

import email.parser
import email.policy
import importlib
import inspect
import io
import json
import keyword
import subprocess
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pydantic
import pytest
from mastra_codegen.pipeline import generate
from mastra_codegen.templates.runtime._open_enum import REQUEST_CONTEXT
from package_checks import import_everything

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "features"
CLINIC, LIBRARY = "feature_clinic", "feature_library"
BASE_URL = "http://clinic.test"


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Both packages, generated once; mypy starts on them at once, in the background."""
    root = tmp_path_factory.mktemp("features")
    generate(str(FIXTURES / "clinic-3.0.yaml"), root / CLINIC)
    generate(str(FIXTURES / "library-3.1.json"), root / LIBRARY)
    sys.path.insert(0, str(root))
    try:
        yield root
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.split(".")[0] in (CLINIC, LIBRARY)]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def mypy_run(out_dir: Path) -> Iterator[subprocess.Popen[str]]:
    command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", CLINIC, LIBRARY]
    process = subprocess.Popen(command, cwd=out_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


@pytest.fixture(scope="module")
def clinic(out_dir: Path, mypy_run: subprocess.Popen[str]) -> ModuleType:
    return importlib.import_module(CLINIC)


@pytest.fixture(scope="module")
def library(out_dir: Path, mypy_run: subprocess.Popen[str]) -> ModuleType:
    return importlib.import_module(LIBRARY)


# --------------------------------------------------------------------------- the output as a whole


def test_ruff_is_clean(out_dir: Path) -> None:
    from mastra_codegen.fmt import RUFF_IGNORE, RUFF_RULES, RUFF_SETTINGS, ruff_bin

    for package in (CLINIC, LIBRARY):
        check = [ruff_bin(), "check", *RUFF_SETTINGS, "--select", RUFF_RULES, "--ignore", RUFF_IGNORE]
        done = subprocess.run([*check, str(out_dir / package)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout[-2000:]
        fmt = [ruff_bin(), "format", "--check", *RUFF_SETTINGS, str(out_dir / package)]
        assert subprocess.run(fmt, capture_output=True, check=False).returncode == 0


@pytest.mark.parametrize("package", [CLINIC, LIBRARY])
def test_every_module_and_model_imports(out_dir: Path, package: str) -> None:
    import_everything(package)


def test_untagged_operations_are_grouped_by_their_path(clinic: ModuleType, library: ModuleType) -> None:
    client = clinic.MastraClient(BASE_URL)
    assert callable(client.health.get_health)  # GET /health
    assert callable(client.default.get)  # GET /
    client31 = library.MastraClient(BASE_URL)
    assert callable(client31.ping.get_ping)  # GET /v2/ping: the version prefix is skipped
    assert callable(client31.stats.get_daily)  # GET /v2/stats/daily


# --------------------------------------------------------------------------- models: 3.0


def roundtrip(model: Any, data: Any) -> Any:
    """Validate ``data``, check it dumps back to exactly ``data`` on the wire, return the instance."""
    instance = model.model_validate(data)
    assert instance.model_dump(mode="json", by_alias=True, exclude_unset=True) == data
    return instance


def rejects(model: Any, data: Any) -> None:
    with pytest.raises(pydantic.ValidationError):
        model.model_validate(data)


def opens(model: Any, data: Any) -> None:
    """A value outside an enum that responses use: kept as read (a newer server's value), refused
    when the client checks a request body."""
    assert model.model_validate(data).model_dump(mode="json", by_alias=True, exclude_unset=True) == data
    with pytest.raises(pydantic.ValidationError):
        model.model_validate(data, context=REQUEST_CONTEXT)


def test_one_of_with_a_discriminator_mapping(clinic: ModuleType) -> None:
    m = clinic.models
    cat = {"petType": "cat", "name": "Tom", "huntingSkill": "lazy", "tag": None, "owner": None}
    dog = {"petType": "dog", "name": "Rex", "packSize": 3, "id": 7}
    lizard = {"petType": "lizard", "name": "Liz", "lovesRocks": True}
    assert isinstance(roundtrip(m.Pet, cat).root, m.Cat)
    assert isinstance(roundtrip(m.Pet, dog).root, m.Dog)
    assert isinstance(roundtrip(m.Pet, lizard).root, m.Lizard)
    rejects(m.Pet, {**dog, "petType": "cow"})  # not in the mapping
    rejects(m.Pet, {"name": "Nobody"})  # no discriminator
    opens(m.Pet, {**cat, "huntingSkill": "ferocious"})  # enum of the chosen member


def test_all_of_merges_the_parts(clinic: ModuleType) -> None:
    m = clinic.models
    cat = roundtrip(m.Cat, {"petType": "cat", "name": "Tom", "huntingSkill": "adventurous"})
    assert (cat.name, cat.pet_type, cat.hunting_skill) == ("Tom", "cat", "adventurous")
    rejects(m.Cat, {"petType": "cat", "huntingSkill": "lazy"})  # name comes from PetBase and is required
    rejects(m.Cat, {"petType": "dog", "name": "Tom", "huntingSkill": "lazy"})


def test_any_of_without_a_discriminator(clinic: ModuleType) -> None:
    m = clinic.models
    assert isinstance(roundtrip(m.Contact, {"email": "a@b.c"}).root, m.EmailContact)
    assert isinstance(roundtrip(m.Contact, {"phone": "555", "extension": None}).root, m.PhoneContact)
    rejects(m.Contact, {"fax": "1"})
    owner = roundtrip(m.Owner, {"id": 1, "name": "Ann", "contact": {"phone": "555"}, "pets": []})
    assert isinstance(owner.contact.root, m.PhoneContact)


def test_nullable_accepts_none(clinic: ModuleType) -> None:
    m = clinic.models
    visit = roundtrip(
        m.Visit,
        {"reason": "limp", "notes": None, "followUp": None, "triage": None, "codes": None},
    )
    assert visit.notes is None and visit.follow_up is None and visit.triage is None
    roundtrip(m.Visit, {"reason": "check", "triage": 2, "codes": ["A1"], "followUp": {"reason": "again"}})
    rejects(m.Visit, {"reason": None})  # not nullable
    opens(m.Visit, {"reason": "x", "triage": 4})  # a nullable enum still checks its values (in requests)
    roundtrip(m.PetBase, {"name": "Tom", "petType": "cat", "tag": None, "owner": None})


def test_enums_of_strings_integers_and_both(clinic: ModuleType) -> None:
    m = clinic.models
    for value in ["scheduled", "in", "class", "None", "True", "1st-visit", "24h", "on hold", "return", ""]:
        assert roundtrip(m.VisitStatus, value).root == value
    opens(m.VisitStatus, "cancelled")
    rejects(m.VisitStatus, None)
    for number in [1, 2, 3, 5, 8]:
        assert roundtrip(m.Priority, number).root == number
    opens(m.Priority, 4)
    for value in ["auto", 0, 1, "none"]:
        assert roundtrip(m.Dose, value).root == value
    opens(m.Dose, 2)
    opens(m.Dose, "manual")
    rejects(m.Dose, 2.5)
    rejects(m.PetKind, "cow")  # only requests use it: closed


def test_recursive_and_mutually_recursive_models(clinic: ModuleType) -> None:
    m = clinic.models
    tree = {
        "name": "animals",
        "parent": None,
        "children": [
            {"name": "mammals", "children": [{"name": "cats", "children": []}, {"name": "dogs"}]},
            {"name": "reptiles", "parent": {"name": "animals"}},
        ],
    }
    node = roundtrip(m.TreeNode, tree)
    assert node.children[0].children[1].name == "dogs"
    rejects(m.TreeNode, {"name": "a", "children": [{"children": []}]})  # a nested node without its name
    department = {
        "title": "Surgery",
        "head": {"name": "Dr. Who", "department": {"title": "Surgery", "staff": [{"name": "Amy"}]}},
        "staff": [{"name": "Rory", "department": {"title": "Surgery"}}],
    }
    parsed = roundtrip(m.Department, department)
    assert parsed.head.department.staff[0].name == "Amy"
    rejects(m.Employee, {"name": "x", "department": {"head": {"name": "y"}}})  # department title missing


def test_additional_properties_true_schema_and_free_form(clinic: ModuleType) -> None:
    m = clinic.models
    assert roundtrip(m.Labels, {"color": "red", "size": "L"}).root == {"color": "red", "size": "L"}
    rejects(m.Labels, {"color": 1})  # a map of strings
    inventory = roundtrip(m.Inventory, {"total": 5, "apples": 2, "pears": 3})
    assert inventory.model_extra == {"apples": 2, "pears": 3}
    rejects(m.Inventory, {"total": 1, "apples": "two"})  # extra values are integers
    extras = roundtrip(m.Extras, {"version": 2, "anything": {"nested": [1, None]}})
    assert extras.model_extra == {"anything": {"nested": [1, None]}}
    free = roundtrip(m.FreeForm, {"a": 1, "b": [True], "c": {"d": None}})
    assert free.model_dump(mode="json") == {"a": 1, "b": [True], "c": {"d": None}}


def test_request_models_are_strict_where_the_schema_is(clinic: ModuleType) -> None:
    m = clinic.models
    roundtrip(m.PetUpdateRequest, {"from": "shelter", "class": "mammal", "nickname": None, "weightKg": 4.5})
    rejects(m.PetUpdateRequest, {"colour": "black"})  # additionalProperties: false
    rejects(m.PetUpdateRequest, {"class": "fish"})  # enum
    rejects(m.PetUpdateRequest, {"weightKg": -1})  # minimum, kept on requests
    owner = {"name": "Ann", "preferences": {"newsletter": True, "channel": None}}
    roundtrip(m.OwnersRequest, owner)
    rejects(m.OwnersRequest, {**owner, "preferences": {"newsletter": True, "fax": True}})  # nested, false too
    # A named component is shared by requests and responses: responses stay lenient (servers
    # add fields release over release), so its additionalProperties: false is not enforced.
    assert m.Closed.model_validate({"a": "x", "b": 1}).model_extra == {"b": 1}


def test_awkward_property_names_become_distinct_identifiers_with_wire_aliases(clinic: ModuleType) -> None:
    model = clinic.models.Awkward
    long_name = (
        "aVeryLongPropertyNameThatKeepsGoingOnAndOnBecauseSomeSchemaAuthorsDescribe"
        "EverythingInTheKeyItselfInsteadOfUsingDescriptions"
    )
    wire = ["from", "class", "type", "id", "list", "self", "user-name", "user_name", "userName"]
    wire += ["prénom", "名前", "2fa", long_name]
    fields = model.model_fields
    by_wire = {(info.alias or name): name for name, info in fields.items()}
    assert sorted(by_wire) == sorted(wire)
    assert len(set(by_wire.values())) == len(wire)
    for name in fields:
        assert name.isidentifier() and not keyword.iskeyword(name), name
    assert by_wire["from"] == "from_" and by_wire["class"] == "class_"
    data = {name: f"v-{i}" for i, name in enumerate(wire) if name not in ("id", "list", "2fa")}
    data |= {"id": 3, "list": ["a"], "2fa": True}
    instance = roundtrip(model, data)
    assert instance.from_ == data["from"] and instance.class_ == data["class"]
    assert getattr(instance, by_wire["userName"]) == data["userName"]
    assert getattr(instance, by_wire["user-name"]) == data["user-name"]


# --------------------------------------------------------------------------- models: 3.1


def test_discriminator_without_mapping_uses_const_tags(library: ModuleType) -> None:
    m = library.models
    book = {"kind": "Book", "id": 1, "title": "Dune", "isbn": "978", "authors": [{"name": "Frank", "born": None}]}
    magazine = {"kind": "Magazine", "id": 2, "title": "Wired", "issue": 7}
    map_ = {"kind": "Map", "id": 3, "title": "Berlin", "scale": 25000, "bounds": [[52.3, 13.0], [52.7, 13.8]]}
    assert isinstance(roundtrip(m.CatalogItem, book).root, m.Book)
    assert isinstance(roundtrip(m.CatalogItem, magazine).root, m.Magazine)
    assert isinstance(roundtrip(m.CatalogItem, map_).root, m.Map)
    assert roundtrip(m.CatalogItem, {**map_, "scale": "1:25000"}).root.scale == "1:25000"  # [string, integer]
    rejects(m.CatalogItem, {**book, "kind": "Scroll"})
    rejects(m.CatalogItem, {**magazine, "kind": "Book"})  # a Book needs its isbn


def test_type_arrays_with_null(library: ModuleType) -> None:
    m = library.models
    item = {"kind": "Magazine", "id": 2, "title": "Wired", "issue": 7, "subtitle": None, "tags": None, "rating": None}
    parsed = roundtrip(m.CatalogItem, item).root
    assert parsed.subtitle is None and parsed.tags is None and parsed.rating is None
    person = roundtrip(m.Person, {"name": "Ada", "born": None, "mentor": None})
    assert person.born is None and person.mentor is None
    rejects(m.Person, {"name": None})
    rejects(m.Person, {"name": "Ada", "born": "long ago"})  # integer or null


def test_const(library: ModuleType) -> None:
    m = library.models
    assert roundtrip(m.ApiVersion, "2024-01").root == "2024-01"
    rejects(m.ApiVersion, "2023-12")
    roundtrip(m.V2PingResponse, {"pong": True})
    rejects(m.V2PingResponse, {"pong": False})
    loan = {"itemId": 1, "borrower": {"cardNumber": "C-1"}, "kind": "loan"}
    roundtrip(m.LoansRequest, loan)
    rejects(m.LoansRequest, {**loan, "kind": "lease"})
    rejects(m.LoansRequest, {k: v for k, v in loan.items() if k != "kind"})  # required const


def test_enums_with_null_and_required_nullable(library: ModuleType) -> None:
    m = library.models
    assert roundtrip(m.Loan, {"id": "L1", "status": None}).status is None
    assert roundtrip(m.Loan, {"id": "L1", "status": "lost"}).status == "lost"
    opens(m.Loan, {"id": "L1", "status": "stolen"})
    rejects(m.Loan, {"id": "L1"})  # required, although it may be null
    loan = {"itemId": 1, "borrower": {"cardNumber": "C-1"}, "kind": "loan", "channel": None, "priority": 2}
    roundtrip(m.LoansRequest, loan)
    rejects(m.LoansRequest, {**loan, "channel": "fax"})
    rejects(m.LoansRequest, {**loan, "priority": 3})


def test_prefix_items(library: ModuleType) -> None:
    m = library.models
    assert roundtrip(m.GeoPoint, [52.5, 13.4]).root == [52.5, 13.4]
    rejects(m.GeoPoint, [52.5, 13.4, 0.0])  # items: false
    rejects(m.GeoPoint, ["north", "east"])
    loan = {"itemId": 1, "borrower": {"cardNumber": "C"}, "kind": "loan", "window": ["2024-01-01", "2024-01-15"]}
    roundtrip(m.LoansRequest, loan)
    rejects(m.LoansRequest, {**loan, "window": ["2024-01-01"]})
    roundtrip(m.Loan, {"id": "L", "status": "open", "history": [["2024-01-01T10:00:00Z", "lent"]]})


def test_pattern_properties_and_maps_of_models(library: ModuleType) -> None:
    m = library.models
    item = {"kind": "Magazine", "id": 1, "title": "Geo", "issue": 1, "translations": {"fr": "Géo", "de-DE": "Geo"}}
    assert roundtrip(m.CatalogItem, item).root.translations == {"fr": "Géo", "de-DE": "Geo"}
    rejects(m.CatalogItem, {**item, "translations": {"fr": 1}})  # the pattern's schema types the values
    person = roundtrip(m.Person, {"name": "Ada", "links": {"home": {"href": "https://a.example", "rel": None}}})
    assert isinstance(person.links["home"], m.Link)
    rejects(m.Person, {"name": "Ada", "links": {"home": {"rel": "me"}}})  # href required


def test_recursion_free_form_and_null_type_in_3_1(library: ModuleType) -> None:
    m = library.models
    shelf = {
        "label": "A",
        "counts": {"books": 3},
        "extra": {"x": [1]},
        "free": {"y": {"z": None}},
        "nothing": None,
        "children": [{"label": "A1", "children": [{"label": "A1a"}]}],
        "items": [{"kind": "Magazine", "id": 2, "title": "Wired", "issue": 7}],
    }
    parsed = roundtrip(m.Shelf, shelf)
    assert parsed.children[0].children[0].label == "A1a"
    rejects(m.Shelf, {"label": "A", "nothing": 0})
    borrower = roundtrip(m.Borrower, {"cardNumber": "1", "guarantor": {"cardNumber": "2", "guarantor": None}})
    assert borrower.guarantor.guarantor is None


def test_any_of_objects_and_scalars(library: ModuleType) -> None:
    m = library.models
    assert roundtrip(m.Event, "returned late").root == "returned late"
    assert roundtrip(m.Event, 3).root == 3
    assert isinstance(roundtrip(m.Event, {"id": "L1", "status": None}).root, m.Loan)
    rejects(m.Event, [1])


# --------------------------------------------------------------------------- requests


class Harness:
    """A client of one generated package, sync or async, on a ``MockTransport`` that records requests."""

    def __init__(self, package: ModuleType, mode: str, max_retries: int = 0) -> None:
        self.mode = mode
        self.requests: list[httpx.Request] = []
        self.replies: list[httpx.Response] = []
        transport = httpx.MockTransport(self._handle)
        if mode == "sync":
            http_client = httpx.Client(transport=transport)
            self.client = package.MastraClient(BASE_URL, http_client=http_client, max_retries=max_retries)
        else:
            http = httpx.AsyncClient(transport=transport)
            self.client = package.AsyncMastraClient(BASE_URL, http_client=http, max_retries=max_retries)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.replies.pop(0) if self.replies else httpx.Response(200, json={})

    def reply(self, data: Any = None, status: int = 200) -> Harness:
        self.replies.append(httpx.Response(status, json=data) if status != 204 else httpx.Response(204))
        return self

    async def call(self, method: Callable[[Any], Any]) -> Any:
        result = method(self.client)
        return await result if inspect.isawaitable(result) else result

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def raw_query(request: httpx.Request) -> list[str]:
    """The query's ``key=value`` pieces as they are on the wire (not decoded)."""
    return request.url.query.decode().split("&") if request.url.query else []


def query(request: httpx.Request) -> list[tuple[str, str]]:
    return urllib.parse.parse_qsl(request.url.query.decode(), keep_blank_values=True)


def multipart(request: httpx.Request) -> list[tuple[str, str | None, str | None, bytes]]:
    """``(name, filename, content type, content)`` of every part of a multipart body."""
    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.content)
    parts = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        own_type = part.get_content_type() if part.get("content-type") else None
        parts.append((str(name), part.get_filename(), own_type, part.get_payload(decode=True)))
    return parts


PET = {"petType": "dog", "name": "Rex", "packSize": 2}


async def test_path_parameters_are_percent_encoded(clinic: ModuleType, mode: str) -> None:
    h = Harness(clinic, mode).reply(PET)
    pet = await h.call(lambda c: c.owners.get_pet(7, "Mr. Whiskers/2 ü?#"))
    assert isinstance(pet.root, clinic.models.Dog)
    assert h.last.url.raw_path.decode() == "/api/owners/7/pets/Mr.%20Whiskers%2F2%20%C3%BC%3F%23"
    with pytest.raises(ValueError):
        await h.call(lambda c: c.owners.get_pet(7, ".."))


async def test_path_parameter_styles(library: ModuleType, mode: str) -> None:
    h = Harness(library, mode).reply([]).reply({"label": "A"})
    await h.call(lambda c: c.catalog.get_item([1, 2, 3]))
    assert h.last.url.raw_path.decode() == "/api/catalog/items/1,2,3"  # simple
    shelf = await h.call(lambda c: c.catalog.get_shelve("A 1", [3, 4]))
    assert shelf.label == "A"
    assert h.last.url.raw_path.decode() == "/api/catalog/shelves/.A%201/;position=3,4"  # label, matrix


async def test_query_styles_and_keyword_names(clinic: ModuleType, mode: str) -> None:
    h = Harness(clinic, mode).reply([PET])
    pets = await h.call(
        lambda c: c.pets.list_pets(
            x_trace_id="t-1",
            tags=["a", "b c"],
            ids=[1, 2],
            colors=["red", "blue"],
            sizes=["S", "L"],
            filter={"species": "cat", "minAge": 2},
            from_="2024-01-01",
            class_="mammal",
            type="cat",
            id=5,
            limit=None,
        )
    )
    assert isinstance(pets[0].root, clinic.models.Dog)
    assert raw_query(h.last) == [
        "tags=a",
        "tags=b+c",  # form, explode: the key repeats
        "ids=1,2",  # form, no explode: one value, comma separated
        "colors=red%20blue",  # spaceDelimited
        "sizes=S|L",  # pipeDelimited
        "filter%5Bspecies%5D=cat",  # deepObject: filter[species]=cat
        "filter%5BminAge%5D=2",
        "from=2024-01-01",  # keywords go out under their own names
        "class=mammal",
        "type=cat",  # an enum by reference is a plain value, not JSON
        "id=5",
    ]
    assert ("filter[minAge]", "2") in query(h.last)


async def test_query_styles_3_1(library: ModuleType, mode: str) -> None:
    h = Harness(library, mode).reply({"items": [], "next": None})
    page = await h.call(
        lambda c: c.catalog.list_items(
            kinds=["Book", "Map"],
            near={"lat": 52.5, "lon": 13.4},
            year={"gte": 1990},
            lang=["en", "fr"],
            cursor=None,
            from_=10,
            in_="stacks",
            sort_by="title",
            query_sort_by="legacy",
        )
    )
    assert page.items == [] and page.next is None
    assert raw_query(h.last) == [
        "kinds=Book,Map",
        "near=lat,52.5,lon,13.4",  # an object in form style without explode
        "year%5Bgte%5D=1990",
        "lang=en",  # explode without a style: form
        "lang=fr",
        "from=10",
        "in=stacks",
        "sortBy=title",  # two names alike after snake_case stay two parameters
        "sort_by=legacy",
    ]


async def test_headers_and_cookies(clinic: ModuleType, mode: str) -> None:
    h = Harness(clinic, mode).reply([]).reply([])
    await h.call(lambda c: c.pets.list_pets(x_trace_id="t-2", x_request_ids=["r1", "r2"], session="abc def", tenant=3))
    assert h.last.headers["X-Trace-Id"] == "t-2"
    assert h.last.headers["X-Request-Ids"] == "r1,r2"  # simple style
    assert h.last.headers["Cookie"] == "session=abc%20def; tenant=3"
    assert "session" not in h.last.headers
    await h.call(lambda c: c.pets.list_pets(x_trace_id="t", session="s", extra_headers={"Cookie": "theme=dark"}))
    assert h.last.headers["Cookie"] == "session=s; theme=dark"


async def test_object_headers_and_array_cookies_3_1(library: ModuleType, mode: str) -> None:
    h = Harness(library, mode).reply({"items": []})
    await h.call(
        lambda c: c.catalog.list_items(
            accept_language="fr", x_feature_flags={"beta": True, "dark": False}, prefs=["a", "b"]
        )
    )
    assert h.last.headers["Accept-Language"] == "fr"
    assert h.last.headers["X-Feature-Flags"] == "beta=true,dark=false"  # simple, explode
    assert h.last.headers["Cookie"] == "prefs=a; prefs=b"  # form explodes by default


async def test_json_body_with_keyword_field_names(clinic: ModuleType, mode: str) -> None:
    h = Harness(clinic, mode).reply(PET)
    await h.call(lambda c: c.pets.update_pet("p1", from_="shelter", class_="mammal", type="x", id=3, nickname=None))
    assert h.last.method == "PATCH" and h.last.url.path == "/api/pets/p1"
    assert json.loads(h.last.content) == {"from": "shelter", "class": "mammal", "type": "x", "id": 3, "nickname": None}
    with pytest.raises(pydantic.ValidationError):  # checked before anything is sent
        await h.call(lambda c: c.pets.update_pet("p1", class_="fish"))
    assert len(h.requests) == 1


async def test_whole_json_body_of_a_discriminated_union(clinic: ModuleType, mode: str) -> None:
    h = Harness(clinic, mode).reply(PET, 201)
    created = await h.call(lambda c: c.pets.create_pet(body=clinic.models.Pet.model_validate(PET)))
    assert json.loads(h.last.content) == PET
    assert isinstance(created.root, clinic.models.Dog)


async def test_json_body_with_nullables_const_and_tuples(library: ModuleType, mode: str) -> None:
    h = Harness(library, mode).reply({"id": "L1", "status": "open", "kind": "loan"}, 201)
    loan = await h.call(
        lambda c: c.loans.create_loan(
            item_id=1,
            borrower={"cardNumber": "C-1", "guarantor": None},
            kind="loan",
            due=None,
            window=["2024-01-01", "2024-01-15"],
            channel=None,
        )
    )
    assert loan.status == "open"
    assert json.loads(h.last.content) == {
        "itemId": 1,
        "borrower": {"cardNumber": "C-1", "guarantor": None},
        "kind": "loan",
        "due": None,
        "window": ["2024-01-01", "2024-01-15"],
        "channel": None,
    }


async def test_multipart_upload_with_bytes_and_fields(clinic: ModuleType, mode: str) -> None:
    h = Harness(clinic, mode).reply({"url": "https://x/1.png", "size": 4}, 201)
    result = await h.call(
        lambda c: c.pets.create_photo(
            "p1", file=b"\x89PNG", caption="Rex, asleep", tags=["cute", "dog"], rating=5, metadata={"k": "v"}
        )
    )
    assert result.size == 4
    assert h.last.method == "POST" and h.last.url.path == "/api/pets/p1/photos"
    assert multipart(h.last) == [
        ("caption", None, None, b"Rex, asleep"),
        ("metadata", None, "application/json", b'{"k":"v"}'),
        ("rating", None, None, b"5"),
        ("tags", None, None, b"cute"),
        ("tags", None, None, b"dog"),
        ("file", "upload", "application/octet-stream", b"\x89PNG"),
    ]


async def test_multipart_file_object_tuple_and_path(clinic: ModuleType, mode: str, tmp_path: Path) -> None:
    h = Harness(clinic, mode).reply({}, 201).reply({}, 201).reply({}, 201)
    photo = tmp_path / "rex.png"
    photo.write_bytes(b"file-bytes")
    with photo.open("rb") as handle:
        await h.call(lambda c: c.pets.create_photo("p1", file=handle))
    assert multipart(h.last) == [("file", "rex.png", "image/png", b"file-bytes")]
    await h.call(lambda c: c.pets.create_photo("p1", file=("nap.jpg", b"jpeg", "image/jpeg"), caption="nap"))
    assert multipart(h.last) == [("caption", None, None, b"nap"), ("file", "nap.jpg", "image/jpeg", b"jpeg")]
    await h.call(lambda c: c.pets.create_photo("p1", file=photo))
    assert multipart(h.last) == [("file", "rex.png", "image/png", b"file-bytes")]
    assert len(h.requests) == 3


async def test_multipart_upload_is_sent_whole_again_on_retry(clinic: ModuleType, mode: str, tmp_path: Path) -> None:
    h = Harness(clinic, mode, max_retries=1)
    h.replies.append(httpx.Response(503, headers={"Retry-After": "0"}))
    h.reply({"size": 10}, 201)
    photo = tmp_path / "rex.png"
    photo.write_bytes(b"file-bytes")
    with photo.open("rb") as handle:
        await h.call(lambda c: c.pets.create_photo("p1", file=handle, caption="again", retry_unsafe=True))
    assert len(h.requests) == 2
    assert multipart(h.requests[0]) == multipart(h.requests[1])
    assert multipart(h.requests[1])[-1] == ("file", "rex.png", "image/png", b"file-bytes")


async def test_multipart_with_file_arrays_3_1(library: ModuleType, mode: str) -> None:
    h = Harness(library, mode).reply({"jobId": "j1", "pages": 2}, 202)
    job = await h.call(
        lambda c: c.uploads.create_scan(
            item_id=5,
            pages=[b"page-1", ("p2.tiff", io.BytesIO(b"page-2"), "image/tiff")],
            cover=("cover.jpg", b"jpg"),
            notes=None,
            meta={"dpi": 300, "color": True},
        )
    )
    assert job.job_id == "j1"
    assert multipart(h.last) == [
        ("itemId", None, None, b"5"),
        ("meta", None, "application/json", b'{"color":true,"dpi":300}'),
        ("pages", "upload", "application/octet-stream", b"page-1"),
        ("pages", "p2.tiff", "image/tiff", b"page-2"),
        ("cover", "cover.jpg", "image/jpeg", b"jpg"),
    ]


async def test_form_urlencoded_bodies(clinic: ModuleType, library: ModuleType, mode: str) -> None:
    h = Harness(clinic, mode).reply({"access_token": "tok", "expires_in": None})
    token = await h.call(
        lambda c: c.auth.token(
            grant_type="password", username="ann", password="p w&=", scope=["read", "write"], remember=True
        )
    )
    assert token.access_token == "tok" and token.expires_in is None
    assert h.last.headers["content-type"] == "application/x-www-form-urlencoded"
    assert urllib.parse.parse_qsl(h.last.content.decode()) == [
        ("grant_type", "password"),
        ("password", "p w&="),
        ("remember", "true"),
        ("scope", "read"),
        ("scope", "write"),
        ("username", "ann"),
    ]
    with pytest.raises(pydantic.ValidationError):
        await h.call(lambda c: c.auth.token(grant_type="magic", username="a", password="b"))
    h31 = Harness(library, mode).reply([])
    await h31.call(lambda c: c.catalog.search(q="dune", kind="Book", range={"from": 1960, "to": 1970}, exact=False))
    assert urllib.parse.parse_qsl(h31.last.content.decode()) == [
        ("exact", "false"),
        ("kind", "Book"),
        ("q", "dune"),
        ("range[from]", "1960"),  # encoding: deepObject
        ("range[to]", "1970"),
    ]


async def test_raw_body(library: ModuleType, mode: str, tmp_path: Path) -> None:
    h = Harness(library, mode).reply(status=204).reply(status=204)
    assert await h.call(lambda c: c.uploads.put_raw(body=b"\x00\x01\x02")) is None
    assert h.last.method == "PUT" and h.last.content == b"\x00\x01\x02"
    assert h.last.headers["content-type"] == "application/octet-stream"
    source = tmp_path / "blob.bin"
    source.write_bytes(b"from disk")
    await h.call(lambda c: c.uploads.put_raw(body=source))
    assert h.last.content == b"from disk"


async def test_deprecated_operations_warn(clinic: ModuleType, library: ModuleType, mode: str) -> None:
    h = Harness(clinic, mode).reply([]).reply(status=204)
    expected = r"^GET /pets/search is deprecated: Use GET /pets with `filter` instead\.$"
    with pytest.warns(DeprecationWarning, match=expected):
        await h.call(lambda c: c.pets.get_search(q="rex"))
    with pytest.warns(DeprecationWarning, match=r"^DELETE /pets/\{petId\}/vaccinations is deprecated$"):
        await h.call(lambda c: c.pets.delete_vaccinations("p1"))
    h31 = Harness(library, mode).reply(status=204)
    with pytest.warns(DeprecationWarning, match=r"Use POST /loans/\{loanId\}/return instead\.$"):
        await h31.call(lambda c: c.loans.delete_loan("L1"))


async def test_untagged_operations_are_called(clinic: ModuleType, library: ModuleType, mode: str) -> None:
    h = Harness(clinic, mode).reply({"status": "ok", "uptime": None}).reply({"docs": "/docs"})
    health = await h.call(lambda c: c.health.get_health())
    assert health.status == "ok" and h.last.url.path == "/api/health"
    assert await h.call(lambda c: c.default.get()) == {"docs": "/docs"}
    assert h.last.url.path == "/api/"
    h31 = Harness(library, mode).reply({"pong": True}).reply({"2024-01-01": ["loans", 3]})
    assert (await h31.call(lambda c: c.ping.get_ping())).pong is True
    assert h31.last.url.path == "/api/v2/ping"
    assert await h31.call(lambda c: c.stats.get_daily()) == {"2024-01-01": ("loans", 3)}


async def test_non_ascii_and_long_parameter_names_reach_the_wire(clinic: ModuleType, mode: str) -> None:
    h = Harness(clinic, mode).reply(PET)
    long_name = (
        "include_the_full_medical_history_of_every_pet_this_owner_has_ever_registered"
        "_with_the_clinic_since_the_beginning"
    )
    await h.call(lambda c: c.owners.get_pet(1, "Rex", prenom="Zoé", value="名", query_value="v", **{long_name: True}))
    assert query(h.last) == [
        ("prénom", "Zoé"),
        ("名前", "名"),
        ("value", "v"),
        ("includeTheFullMedicalHistoryOfEveryPetThisOwnerHasEverRegisteredWithTheClinicSinceTheBeginning", "true"),
    ]


def test_mastra_voice_listen_is_a_multipart_upload(pinned_spec: Path) -> None:
    """The document says JSON with ``audio: {}``; the shipped override makes it the upload the server reads."""
    from mastra_codegen.pipeline import prepare

    operations = {op.key: op for op in prepare(str(pinned_spec)).operations}
    listen = operations["POST /agents/{agentId}/voice/listen"]
    assert (listen.body_kind, listen.file_fields) == ("multipart", ("audio",))
    assert {p.py_name: p.annotation for p in listen.body_params} == {
        "audio": "FileTypes",
        "options": "Mapping[str, Any]",
    }


# --------------------------------------------------------------------------- last: mypy has been running meanwhile


def test_mypy_strict_is_clean(mypy_run: subprocess.Popen[str]) -> None:
    output, _ = mypy_run.communicate(timeout=300)
    assert mypy_run.returncode == 0, output[-3000:]
