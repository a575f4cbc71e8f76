"""Docker can't run here, so these keep the Dockerfile, the README, CI and the Makefile telling the same story."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def makefile_variable(name: str) -> str:
    match = re.search(rf"^{name}\s*:=\s*(.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert match, f"Makefile has no {name}"
    return match.group(1).strip()


def expand(value: str) -> str:
    return re.sub(r"\$\((\w+)\)", lambda m: expand(makefile_variable(m.group(1))), value)


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text().replace("\\\n", " ")


def test_requirements_are_pinned_and_torch_is_the_version_make_installs():
    lines = [line for line in (ROOT / "requirements.txt").read_text().splitlines() if line and not line.startswith("#")]
    assert all("==" in line for line in lines), "every requirement is pinned"
    torch_pin = next(line for line in lines if line.startswith("torch=="))
    assert torch_pin in expand(makefile_variable("TORCH_INSTALL"))


def test_dockerfile_installs_cpu_torch_and_requirements_with_the_makefiles_commands():
    text = " ".join(dockerfile().split())
    torch_args = expand(makefile_variable("TORCH_INSTALL")).removeprefix("install ")
    assert f"--user {torch_args}" in text
    assert makefile_variable("TORCH_INDEX").endswith("/whl/cpu")
    assert f"--user {makefile_variable('REQUIREMENTS_INSTALL').removeprefix('install ')}" in text


def test_dockerfile_serves_the_app_make_run_serves_on_all_interfaces_port_8501_as_uid_1000():
    text = dockerfile()
    serve = makefile_variable("SERVE").split()
    cmd = re.search(r"^CMD\s+(\[.*\])$", text, re.MULTILINE).group(1)
    assert cmd.startswith(str(serve).replace("'", '"')[:-1])
    assert "--server.address=0.0.0.0" in cmd and "--server.port=8501" in cmd
    assert "--uid 1000" in text and "USER user" in text
    assert "HF_HOME=" in text and "mkdir -p $HF_HOME" in text
    assert "/_stcore/health" in text


def test_readme_front_matter_makes_a_docker_space_on_the_port_the_image_serves():
    readme = (ROOT / "README.md").read_text()
    front = readme.split("---")[1]
    assert re.search(r"^sdk:\s*docker$", front, re.MULTILINE)
    assert re.search(r"^app_port:\s*8501$", front, re.MULTILINE)
    assert "make run" in readme and "make test" in readme


def test_streamlit_config_binds_to_loopback_and_sends_no_usage_stats():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["port"] == 8501
    assert config["browser"]["gatherUsageStats"] is False


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_backend_never_imports_streamlit():
    for path in (ROOT / "playground").rglob("*.py"):
        assert not re.search(r"^\s*(import|from)\s+streamlit", path.read_text(), re.MULTILINE), path


def test_a_figure_the_pages_quote_is_the_figure_the_readme_quotes():
    from playground.training.text import MEASURED_SPEEDUP, WHY_SPEEDUP_FALLS_SHORT

    m = MEASURED_SPEEDUP
    row = f"| DDP, {m['workers']} gloo workers | "
    readme = next(line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith(row))
    assert f"| {m['speedup']} (efficiency {m['efficiency']}) |" in readme
    assert f"measured {m['speedup']}× on 8×8 digits" in WHY_SPEEDUP_FALLS_SHORT


def test_serving_a_class_watches_no_files_and_make_dev_polls_instead_of_overflowing_inotify():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"
    assert "--server.fileWatcherType=none" in re.search(r"^CMD\s+(\[.*\])$", dockerfile(), re.MULTILINE).group(1)
    dev = re.search(r"^dev:.*\n\t(.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE).group(1)
    assert "$(SERVE) $(DEV_WATCHER)" in dev
    assert "--server.fileWatcherType poll" in makefile_variable("DEV_WATCHER")


def test_set_up_tries_the_cpu_torch_index_once_and_says_which_index_it_used():
    recipe = (ROOT / "Makefile").read_text().split("$(VENV)/.installed: requirements.txt")[1].split("\n\n")[0]
    assert "$(REACHABLE) $(TORCH_INDEX)" in recipe
    assert recipe.index("$(TORCH_INSTALL)") < recipe.index("$(TORCH_INSTALL_WITHOUT_INDEX)")
    assert recipe.count("echo") == 2, "one line says which index torch came from, and why"
    assert "--extra-index-url" not in makefile_variable("TORCH_INSTALL_WITHOUT_INDEX")


def test_the_docker_image_and_make_fetch_the_same_corpus_to_where_the_training_page_looks_first():
    from playground.training.gpt_corpus import CORPUS_PLACES

    url, path = makefile_variable("CORPUS_URL"), makefile_variable("CORPUS")
    assert f"ADD --chown=user {url} {path}" in dockerfile()
    assert CORPUS_PLACES[0] == ROOT / path
    assert path + "\n" in (ROOT / ".gitignore").read_text() or "data/\n" in (ROOT / ".gitignore").read_text()
