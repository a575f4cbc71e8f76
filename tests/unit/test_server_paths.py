"""Which server folders a typed path may name (issue 19: a Space is public). The rule: under an allowed root after
`~`, `..` and symbolic links are resolved; anything else refused with a message that names the setting and says
the same whether the path exists or not."""

import os
from pathlib import Path

import pytest

from playground import ASSETS, REPO
from playground.server_paths import MAX_CHARS, ROOTS_ENV, RUNS_ENV, PathRefused, allowed, resolve, roots
from playground.url_values import quoted


@pytest.fixture
def only(monkeypatch):
    """Allow exactly the project's defaults plus the folders given."""

    def set_roots(*folders):
        monkeypatch.delenv(RUNS_ENV, raising=False)
        monkeypatch.setenv(ROOTS_ENV, os.pathsep.join(str(f) for f in folders))

    return set_roots


def test_the_defaults_are_the_projects_runs_models_and_data(only):
    only()
    assert roots() == [REPO / "runs", ASSETS / "models", REPO / "data"]
    assert resolve(ASSETS / "models" / "shakespeare-gpt") == ASSETS / "models" / "shakespeare-gpt"
    assert resolve(REPO / "runs" / "training" / "not-yet-there") == REPO / "runs" / "training" / "not-yet-there"


def test_the_operator_adds_roots_separated_by_pathsep_and_the_pages_runs_folder_counts(tmp_path, only, monkeypatch):
    only(tmp_path / "a", tmp_path / "b")
    assert resolve(tmp_path / "b" / "run") == tmp_path / "b" / "run"
    assert allowed(tmp_path / "c") is None
    monkeypatch.setenv(RUNS_ENV, str(tmp_path / "c"))  # where the Training page starts its runs
    assert resolve(tmp_path / "c" / "run") == tmp_path / "c" / "run"


def test_a_path_outside_is_refused_the_same_whether_it_exists_or_not(tmp_path, only):
    only(tmp_path / "allowed")
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "metrics.jsonl").write_text("{}\n")
    messages = {}
    for typed in ("/etc", "/no/such/folder", str(tmp_path / "secret"), str(tmp_path / "secret" / "metrics.jsonl")):
        with pytest.raises(PathRefused) as err:
            resolve(typed)
        assert ROOTS_ENV in str(err.value) and quoted(typed, limit=160) in str(err.value)
        messages[typed] = str(err.value).replace(quoted(typed, limit=160), "PATH")
    assert len(set(messages.values())) == 1, messages


def test_dot_dot_and_symbolic_links_are_resolved_before_the_check(tmp_path, only):
    only(tmp_path / "allowed")
    (tmp_path / "allowed").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "allowed" / "door").symlink_to(tmp_path / "outside")
    (tmp_path / "inside").symlink_to(tmp_path / "allowed")
    for typed in (
        tmp_path / "allowed" / ".." / "outside",
        tmp_path / "allowed" / "door",
        tmp_path / "allowed" / "door" / "x",
    ):
        with pytest.raises(PathRefused):
            resolve(typed)
    assert resolve(tmp_path / "inside" / "x") == tmp_path / "allowed" / "x"  # a link into a root is inside
    assert resolve(tmp_path / "outside" / ".." / "allowed") == tmp_path / "allowed"


def test_a_root_that_is_itself_a_link_is_followed(tmp_path, only):
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    only(tmp_path / "alias")
    assert resolve(tmp_path / "real" / "run") == tmp_path / "real" / "run"


def test_a_home_folder_is_expanded_and_a_relative_path_is_taken_from_the_working_folder(only, monkeypatch, tmp_path):
    only()
    with pytest.raises(PathRefused):
        resolve("~")
    monkeypatch.chdir(REPO)
    assert resolve("runs/training") == REPO / "runs" / "training"
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PathRefused):
        resolve("runs/training")  # the same words elsewhere name another folder


@pytest.mark.parametrize(
    "typed, words",
    [
        ("", "No folder given"),
        ("   ", "No folder given"),
        ("/x" * 50_000, f"at most {MAX_CHARS:,}"),
        ("/tmp/a\x00b", "NUL"),
        ("/tmp/\ud800", "unpaired surrogate"),
    ],
    ids=["empty", "blank", "100000-characters", "nul", "lone-surrogate"],
)
def test_what_can_be_no_path_is_refused_with_a_reason(typed, words, only):
    only(Path("/tmp"))
    with pytest.raises(PathRefused, match=words) as err:
        resolve(typed)
    assert len(str(err.value)) < 400  # a 100,000-character value is named, not printed


def test_a_name_too_long_for_the_file_system_but_under_a_root_is_resolved_without_an_error(tmp_path, only):
    only(tmp_path)
    long = tmp_path / ("n" * 300)  # one component over the file system's 255 bytes
    assert resolve(long) == long  # opening it is the caller's business; resolving it raised OSError nowhere
