"""Which YAML parser reads which overrides file (libyaml is faster, PyYAML is the reference).

The shipped files are parsed with libyaml on every run; it accepts some text that PyYAML's own
parser refuses, so that is only sound while both agree on the shipped files, checked here for
each of them. The user's files keep PyYAML's parser and its errors.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from mastra_codegen.errors import CodegenError
from mastra_codegen.overrides import SHIPPED_COMPOSER, _load_located, load_overrides, shipped_override_files


@pytest.mark.parametrize("path", shipped_override_files(), ids=lambda p: p.name)
def test_libyaml_and_pyyaml_read_each_shipped_file_alike(path: Path) -> None:
    fast = _load_located(path, composer=SHIPPED_COMPOSER)
    reference = _load_located(path, composer=yaml.SafeLoader)
    assert fast.data == reference.data
    assert fast.lines == reference.lines
    assert fast.data and len(fast.lines) > 100


def test_the_shipped_files_use_libyaml_when_pyyaml_has_it() -> None:
    assert shipped_override_files()
    if yaml.__with_libyaml__:
        assert SHIPPED_COMPOSER is yaml.CSafeLoader


def test_a_user_file_keeps_pyyaml_and_its_errors(tmp_path: Path) -> None:
    text = "groups:\n  ke\ty: things\n"  # a tab PyYAML refuses where libyaml reads a plain key
    if yaml.__with_libyaml__:
        assert yaml.compose(text, Loader=yaml.CSafeLoader) is not None  # libyaml would read it
    user = tmp_path / "mine.yaml"
    user.write_text(text, encoding="utf-8")
    with pytest.raises(CodegenError, match=r"mine\.yaml:2: invalid YAML: found character '\\t'"):
        load_overrides([user])


def test_line_numbers_and_scalars_of_a_user_file(tmp_path: Path) -> None:
    user = tmp_path / "mine.yaml"
    user.write_text(
        "groups:\n  Things: things\n  Other: &name other\n  Same: *name\noperations:\n"
        "  GET /things: {name: list_things, summary: 'Lists: all'}\n",
        encoding="utf-8",
    )
    located = _load_located(user)
    assert located.data == {
        "groups": {"Things": "things", "Other": "other", "Same": "other"},
        "operations": {"GET /things": {"name": "list_things", "summary": "Lists: all"}},
    }
    assert located.at("operations", "GET /things", "summary") == f"{user}:6"
    assert located.at("groups", "Same") == f"{user}:4"
