"""The served schema as a client generator and a station developer read it: names from the code
in every language, one reference component, the models' enums, real media types, and every
operation and parameter described in the caller's language (docs/station-client.md)."""

import inspect
import re
import sys

import pytest

from apps.organizations.roles import Role

TEXT_KEYS = {"description", "summary", "title"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def served(tree, user_in, api_as):
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    def fetch(language: str) -> dict:
        response = client.get(
            "/api/schema/", HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.status_code == 200
        return response.json()

    return fetch


def without_text(node):
    """The document with every text a person reads taken out: what generated code is made of.

    A ``$ref`` with a title beside it is wrapped in a one-item ``allOf``; without the title
    it is the same reference."""
    if isinstance(node, dict):
        node = {k: without_text(v) for k, v in node.items() if k not in TEXT_KEYS}
        return node["allOf"][0] if list(node) == ["allOf"] and len(node["allOf"]) == 1 else node
    if isinstance(node, list):
        return [without_text(v) for v in node]
    return node


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def walk(node):
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        yield from walk(child)


def test_chinese_and_english_schemas_make_the_same_code(served):
    chinese, english = served("zh-hans"), served("en")

    assert list(chinese["components"]["schemas"]) == list(english["components"]["schemas"])
    assert [op["operationId"] for _, op in operations(chinese)] == [
        op["operationId"] for _, op in operations(english)
    ]
    assert without_text(chinese) == without_text(english)
    assert chinese["info"]["title"].isascii()


def test_every_reference_read_back_is_the_one_ref_component(served):
    schema = served("zh-hans")
    components = schema["components"]["schemas"]

    assert components["Ref"]["properties"].keys() == {"id", "name"}
    inline_refs = [
        node
        for node in walk(schema)
        if isinstance(node, dict) and set(node.get("properties", {})) == {"id", "name"}
    ]
    assert inline_refs == [components["Ref"]]
    for name, field in [
        ("Organization", "parent"),
        ("Organization", "street"),
        ("Member", "organization"),
        ("Attachment", "uploaded_by"),
        ("BranchAttendance", "member"),
    ]:
        assert {"$ref": "#/components/schemas/Ref"} in [
            components[name]["properties"][field],
            *components[name]["properties"][field].get("allOf", []),
        ], (name, field)


def test_filters_take_the_models_enums_and_no_blank_enum_is_made(served):
    schema = served("zh-hans")

    assert not {"BlankEnum", "NullEnum"} & set(schema["components"]["schemas"])
    gender = next(
        p for p in schema["paths"]["/api/v1/members/"]["get"]["parameters"] if p["name"] == "gender"
    )
    assert gender["schema"] == {"$ref": "#/components/schemas/GenderEnum"}
    inline = [
        (label, p["name"])
        for label, op in operations(schema)
        for p in op.get("parameters", [])
        if "enum" in p["schema"]
    ]
    assert inline == []


def test_a_download_declares_the_types_files_are_stored_in(served):
    from apps.files.uploads import MIME

    schema = served("zh-hans")
    download = schema["paths"]["/api/v1/members/{id}/attachments/{attachment_pk}/"]["get"]

    assert set(download["responses"]["200"]["content"]) == set(MIME.values())
    assert not [node for node in walk(schema) if isinstance(node, dict) and "*/*" in node]


def developer_docstrings() -> set[str]:
    """The first paragraph of every docstring in the project's code: notes for maintainers."""
    found = set()
    for name, module in list(sys.modules.items()):
        if not name.startswith("apps.") or module is None:
            continue
        for _, obj in inspect.getmembers(module, inspect.isclass):
            for thing in (obj, *vars(obj).values()):
                doc = inspect.getdoc(thing) if callable(thing) or inspect.isclass(thing) else None
                if doc and (getattr(thing, "__module__", None) or "").startswith("apps."):
                    found.add(doc.split("\n\n")[0].strip())
    return {doc for doc in found if len(doc) > 15}


def described(schema):
    """(where, description) of every operation and parameter; None where there is none."""
    for label, operation in operations(schema):
        yield label, operation.get("description")
        for parameter in operation.get("parameters", []):
            yield f"{label} {parameter['in']} {parameter['name']}", parameter.get("description")


def test_every_operation_and_parameter_is_described_in_the_callers_language(served):
    chinese, english = served("zh-hans"), served("en")
    docstrings = developer_docstrings()

    missing = [where for where, text in described(chinese) if not (text or "").strip()]
    untranslated = [where for where, text in described(chinese) if not CJK.search(text or "")]
    english_text = dict(described(english))
    same_in_english = [
        where for where, text in described(chinese) if text and english_text[where] == text
    ]
    texts = [
        text
        for node in walk(chinese)
        if isinstance(node, dict)
        for text in [node.get("description")]
        if isinstance(text, str)
    ]
    docstring_leaks = [t for t in texts if "``" in t or any(d in t for d in docstrings)]

    assert missing == []
    assert untranslated == []
    assert same_in_english == []
    assert docstring_leaks == []
    assert len(docstrings) > 50  # the check above had docstrings to look for
