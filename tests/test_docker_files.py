"""docker/ and .env.example, checked as far as a client allows (no Docker engine runs on these machines).

compose.yaml is parsed with PyYAML, the Dockerfile with a small instruction parser, and both are
cross-checked against the repository: COPY sources exist and survive .dockerignore, every
environment variable a service or the entrypoint uses is documented in .env.example, and every
variable the settings read is documented there too.
"""

from __future__ import annotations

import ast
import fnmatch
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "docker" / "Dockerfile"
COMPOSE = ROOT / "docker" / "compose.yaml"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERIGNORE = ROOT / ".dockerignore"

SERVICES = {"web", "worker", "beat", "postgres", "redis"}
APP_SERVICES = {"web", "worker", "beat"}
MEDIA_ROOT_IN_IMAGE = "/app/var/media"


# --- helpers -----------------------------------------------------------------------------------------

def env_example_keys() -> dict[str, bool]:
    """NAME -> True when set (NAME=...), False when documented as optional (# NAME=...)."""
    keys: dict[str, bool] = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=", line.strip())
        if match:
            keys[match.group(2)] = keys.get(match.group(2), False) or match.group(1) is None
    return keys


def settings_env_names() -> set[str]:
    """Every NAME in env("NAME", ...), env.bool("NAME"), env.db("NAME") ... in portal/settings/*.py."""
    names: set[str] = set()
    for path in (ROOT / "portal" / "settings").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func
            is_env = (isinstance(func, ast.Name) and func.id == "env") or (
                isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env"
            )
            first = node.args[0]
            if is_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
            # production.py reads secrets through a helper: _required_secret("NAME")
            if isinstance(func, ast.Name) and func.id.startswith("_required") and isinstance(first, ast.Constant):
                names.add(first.value)
    return names


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def interpolated_names(value) -> set[str]:
    """Variables Compose substitutes from the environment/--env-file: $NAME and ${NAME...}; $$ is a literal $."""
    if isinstance(value, dict):
        return set().union(*(interpolated_names(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(interpolated_names(v) for v in value)) if value else set()
    if not isinstance(value, str):
        return set()
    text = value.replace("$$", "")
    return set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", text))


def environment_keys(service: dict) -> set[str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return {item.split("=", 1)[0] for item in env}
    return set(env)


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with comments dropped and backslash continuations joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    assert not pending, "Dockerfile ends inside a line continuation"
    return instructions


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for instruction in dockerfile_instructions():
        if instruction[0] == "FROM":
            result.append([])
        if result:
            result[-1].append(instruction)
    return result


def build_args() -> dict[str, str]:
    args = {}
    for keyword, rest in dockerfile_instructions():
        if keyword == "FROM":
            break
        if keyword == "ARG" and "=" in rest:
            name, value = rest.split("=", 1)
            args[name] = value
    return args


def copy_sources(args: str) -> tuple[list[str], bool]:
    """Source paths of a COPY/ADD and whether they come from another stage (--from=)."""
    words = args.split()
    flags = [w for w in words if w.startswith("--")]
    paths = [w for w in words if not w.startswith("--")]
    if paths and paths[0].startswith("["):
        paths = [p.strip('[]",') for p in paths]
    return paths[:-1], any(f.startswith("--from=") for f in flags)


def dockerignore_excludes(relpath: str) -> bool:
    """Docker's rule: the last matching pattern wins; a directory's exclusion covers its contents."""
    patterns = [p.strip() for p in DOCKERIGNORE.read_text().splitlines() if p.strip() and not p.startswith("#")]
    parts = relpath.split("/")
    excluded = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        hit = any(
            fnmatch.fnmatchcase(c, pattern)
            or (pattern.startswith("**/") and any(fnmatch.fnmatchcase(p, pattern[3:]) for p in c.split("/")))
            for c in candidates
        )
        if hit:
            excluded = not negate
    return excluded


# --- compose.yaml ------------------------------------------------------------------------------------

def test_compose_has_the_five_services_each_with_a_healthcheck():
    services = compose()["services"]
    assert set(services) == SERVICES
    for name, service in services.items():
        check = service.get("healthcheck")
        assert check and check.get("test"), f"{name} has no healthcheck"
        assert not check.get("disable"), name


def test_compose_images_and_commands():
    services = compose()["services"]
    assert str(services["postgres"]["image"]).split(":")[1].startswith("16")
    assert str(services["redis"]["image"]).split(":")[1].startswith("7")
    for name in APP_SERVICES:
        build = services[name]["build"]
        assert (COMPOSE.parent / build["context"]).resolve() == ROOT
        assert (ROOT / build["dockerfile"]).resolve() == DOCKERFILE
        assert services[name]["command"] == [name], "entrypoint.sh maps web/worker/beat to their processes"
    entrypoint = ENTRYPOINT.read_text()
    assert "exec gunicorn portal.wsgi:application" in entrypoint
    assert "exec celery -A portal worker" in entrypoint
    assert "exec celery -A portal beat" in entrypoint


def test_compose_named_volumes_are_declared_and_mounted():
    data = compose()
    volumes = set(data.get("volumes") or {})
    assert {"pgdata", "media"} <= volumes
    services = data["services"]

    def mounts(name):
        return {tuple(str(v).split(":")[:2]) for v in services[name].get("volumes", [])}

    assert ("pgdata", "/var/lib/postgresql/data") in mounts("postgres")
    assert ("media", MEDIA_ROOT_IN_IMAGE) in mounts("web")
    assert ("media", MEDIA_ROOT_IN_IMAGE) in mounts("worker")  # exports are written by tasks
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if not source.startswith((".", "/")):
                assert source in volumes, f"{name} mounts undeclared volume {source}"


def test_compose_dependencies_wait_for_health():
    services = compose()["services"]
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert all(d["condition"] == "service_healthy" for d in depends.values()), name
    assert {"postgres", "redis"} <= set(services["web"]["depends_on"])
    # worker and beat wait for web, which applies migrations before it reports healthy
    assert "web" in services["worker"]["depends_on"] and "web" in services["beat"]["depends_on"]


def test_compose_app_services_read_env_file_and_reach_the_compose_backends():
    services = compose()["services"]
    for name in APP_SERVICES:
        env_files = services[name]["env_file"]
        env_files = [env_files] if isinstance(env_files, str) else env_files
        assert [(COMPOSE.parent / f).resolve() for f in env_files] == [ROOT / ".env"]
        env = services[name]["environment"]
        assert "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:6379/")
        assert "web" == name or "ports" not in services[name]
    for port in services["web"].get("ports", []):
        assert str(port).startswith("127.0.0.1:"), "web is published on loopback only, behind a TLS proxy"


def test_every_env_reference_in_compose_is_in_env_example():
    keys = env_example_keys()
    data = compose()
    for name, service in data["services"].items():
        for key in environment_keys(service):
            assert key in keys, f"{name}: environment key {key} is not documented in .env.example"
        for ref in interpolated_names(service):
            assert keys.get(ref), f"{name}: ${{{ref}}} must be set (uncommented) in .env.example"
    for ref in interpolated_names({k: v for k, v in data.items() if k != "services"}):
        assert keys.get(ref), ref


def test_every_env_variable_the_entrypoint_reads_is_in_env_example():
    keys = env_example_keys()
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", ENTRYPOINT.read_text()))
    missing = sorted(used - set(keys))
    assert not missing, f".env.example lacks {missing}"


# --- .env.example ------------------------------------------------------------------------------------

def test_env_example_documents_every_variable_the_settings_read():
    names = settings_env_names()
    assert {"SECRET_KEY", "ID_NUMBER_HMAC_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"} <= names
    missing = sorted(names - set(env_example_keys()))
    assert not missing, f"add these to .env.example (with a comment): {missing}"


def test_env_example_holds_only_placeholders_for_secrets():
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            values[match.group(1)] = match.group(2)
    for secret in ("SECRET_KEY", "ID_NUMBER_HMAC_KEY", "POSTGRES_PASSWORD"):
        assert values[secret].startswith("change-me"), f"{secret} must be a change-me placeholder"


# --- Dockerfile --------------------------------------------------------------------------------------

def test_dockerfile_is_multi_stage_with_a_slim_python_runtime():
    all_stages = stages()
    assert len(all_stages) >= 2
    args = build_args()
    images = []
    for stage in all_stages:
        base = stage[0][1].split()[0]
        images.append(re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), base))
    assert images[-1] == "python:3.11-slim"
    builder = next(s for s in all_stages if s[0][1].endswith("AS builder"))
    runs = " ".join(a for k, a in builder if k == "RUN")
    assert "pip install -r requirements.in -c constraints.txt" in runs
    runtime = all_stages[-1]
    assert any(k == "COPY" and "--from=builder" in a for k, a in runtime), "runtime takes the builder's venv"


def test_dockerfile_runtime_runs_as_non_root_with_production_settings():
    runtime = stages()[-1]
    users = [a for k, a in runtime if k == "USER"]
    assert users, "runtime stage must switch to a non-root USER"
    assert users[-1].split(":")[0] not in {"root", "0"}
    envs = " ".join(a for k, a in runtime if k == "ENV")
    assert "DJANGO_SETTINGS_MODULE=portal.settings.production" in envs
    runs = " ".join(a for k, a in runtime if k == "RUN")
    assert "manage.py collectstatic --noinput" in runs
    # the build-time dummies never become the image's environment
    assert "SECRET_KEY" not in envs and "ID_NUMBER_HMAC_KEY" not in envs
    entrypoint = [a for k, a in runtime if k == "ENTRYPOINT"]
    assert entrypoint and "docker/entrypoint.sh" in entrypoint[-1]


def test_dockerfile_healthcheck_probes_healthz():
    runtime = stages()[-1]
    checks = [a for k, a in runtime if k == "HEALTHCHECK"]
    assert checks and "NONE" not in checks[-1].upper().split()
    assert "healthcheck" in checks[-1] and "web" in checks[-1]
    assert "/healthz" in ENTRYPOINT.read_text()


def test_dockerfile_copies_only_files_that_exist_and_reach_the_build_context():
    copied = []
    for keyword, args in dockerfile_instructions():
        if keyword not in {"COPY", "ADD"}:
            continue
        sources, from_stage = copy_sources(args)
        if from_stage:
            continue
        for source in sources:
            assert "://" not in source, "no remote ADD"
            path = (ROOT / source).resolve()
            assert path.exists(), f"COPY {source}: not in the repository"
            copied.append(source)
            if source not in {".", "./"}:
                assert not dockerignore_excludes(source.rstrip("/")), f"COPY {source} is excluded by .dockerignore"
    assert copied


def test_dockerignore_keeps_secrets_out_and_the_app_in():
    for excluded in (".env", ".git", ".venv", "var/portal.sqlite3", "tests/conftest.py", "frontend/node_modules/x"):
        assert dockerignore_excludes(excluded), excluded
    needed = ["manage.py", "docker/entrypoint.sh", "requirements.in", "constraints.txt"]
    # everything the running code reads: apps, templates, static sources, compiled translations
    built_in_image = {"__pycache__", "node_modules", "vendor"}
    for top in ("portal", "facilities", "bookings", "mutualaid", "frontend", "locale"):
        for dirpath, dirnames, filenames in os.walk(ROOT / top):
            dirnames[:] = [d for d in dirnames if d not in built_in_image]
            needed += [str((Path(dirpath) / f).relative_to(ROOT)) for f in filenames if not f.endswith(".pyc")]
    assert "portal/settings/production.py" in needed
    excluded = [path for path in needed if dockerignore_excludes(path)]
    assert not excluded, f".dockerignore drops files the image needs: {excluded[:10]}"
    assert dockerignore_excludes("docker/Dockerfile")


def test_entrypoint_is_an_executable_posix_shell_script():
    assert os.access(ENTRYPOINT, os.X_OK)
    assert ENTRYPOINT.read_text().startswith("#!/bin/sh\n")
    subprocess.run(["sh", "-n", str(ENTRYPOINT)], check=True)


@pytest.mark.skipif(not shutil.which("shellcheck"), reason="shellcheck not installed")
def test_entrypoint_passes_shellcheck():
    subprocess.run(["shellcheck", "-s", "sh", str(ENTRYPOINT)], check=True)


def _compose_client() -> list[str] | None:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


@pytest.mark.skipif(_compose_client() is None, reason="no Compose client (docker compose plugin or docker-compose)")
def test_compose_client_accepts_the_file(tmp_path):
    """`compose config` validates the file against the Compose schema without an engine.

    It runs on a copy, with .env.example standing in for .env. Compose v1 (Debian's docker-compose)
    predates the top-level `name:` key, so the copy drops that key for it.
    """
    client = _compose_client()
    (tmp_path / "docker").mkdir()
    (tmp_path / ".env").write_text(ENV_EXAMPLE.read_text())
    text = COMPOSE.read_text()
    if client == ["docker-compose"]:
        text = "\n".join(line for line in text.splitlines() if not line.startswith("name:"))
    (tmp_path / "docker" / "compose.yaml").write_text(text)
    shutil.copy(DOCKERFILE, tmp_path / "docker" / "Dockerfile")
    command = [*client, "--env-file", str(tmp_path / ".env"), "-f", str(tmp_path / "docker" / "compose.yaml"), "config"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    assert set(resolved["services"]) == SERVICES
    assert "@postgres:5432/portal" in resolved["services"]["web"]["environment"]["DATABASE_URL"]
