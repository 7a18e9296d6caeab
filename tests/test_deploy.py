"""The deployment files in ``deploy/`` are valid and agree with each other and with the app.

- the Dockerfile lints clean with hadolint (from PyPI);
- the Kubernetes manifests validate offline against the Kubernetes schemas (kubernetes-validate,
  strict: an unknown field is an error), for the oldest supported and the newest release;
- Debian's HAProxy accepts deploy/haproxy.cfg (``haproxy -c``);
- the compose file, the HAProxy config, the Dockerfile and the manifests name the same port, the
  same health endpoint and the same settings, and the image holds everything the app reads.

Docker and Kubernetes cannot run here: ``tests/test_deploy_proxy.py`` runs the HAProxy config for
real in front of two replicas.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
MANIFESTS = sorted((DEPLOY / "k8s").glob("*.yaml"))
HEALTH = "/_stcore/health"
PORT = 8501
# the oldest Kubernetes release still supported upstream when this was written, and the newest
K8S_VERSIONS = ("1.33.0", kubernetes_validate.latest_version())


def hadolint() -> str:
    exe = Path(sys.executable).parent / "hadolint"
    return str(exe) if exe.exists() else (shutil.which("hadolint") or "hadolint")


def test_dockerfile_lints_clean():
    out = subprocess.run([hadolint(), str(DEPLOY / "Dockerfile")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_hadolint_finds_a_known_mistake(tmp_path):
    """The linter really runs: an unpinned apt-get install and a root user are reported."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:3.11-slim\nRUN apt-get update && apt-get install -y curl\n")
    out = subprocess.run([hadolint(), str(bad)], capture_output=True, text=True)
    assert out.returncode != 0 and "DL3008" in out.stdout, out.stdout


def _documents() -> list[tuple[Path, dict]]:
    docs = [(p, d) for p in MANIFESTS for d in yaml.safe_load_all(p.read_text()) if d]
    assert {d["kind"] for _, d in docs} >= {
        "Deployment",
        "Service",
        "Ingress",
        "PodDisruptionBudget",
    }
    return docs


class _UniqueKeys(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping (YAML's rule, which PyYAML and
    kubectl let pass: the last one silently wins)."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
        twice = {k for k in keys if keys.count(k) > 1}
        if twice:
            raise yaml.constructor.ConstructorError(
                None, None, f"keys given twice: {sorted(map(str, twice))}", node.start_mark
            )
        return super().construct_mapping(node, deep=deep)


@pytest.mark.parametrize(
    "path", [*MANIFESTS, REPO / "deploy" / "compose.yaml"], ids=lambda p: p.name
)
def test_no_deployment_file_gives_a_key_twice(path):
    """Past defect: the Deployment's resources gave ``requests`` and ``limits`` twice, so the
    numbers its comment explained were not the ones in force."""
    list(yaml.load_all(path.read_text(), Loader=_UniqueKeys))


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_manifests_validate_against_the_kubernetes_schemas(version):
    for path, doc in _documents():
        kubernetes_validate.validate(doc, version, strict=True)  # raises ValidationError


def test_the_schema_check_refuses_a_misspelled_field():
    _, deployment = next((p, d) for p, d in _documents() if d["kind"] == "Deployment")
    container = dict(deployment["spec"]["template"]["spec"]["containers"][0])
    container["readinesProbe"] = container.pop("readinessProbe")
    bad = {
        **deployment,
        "spec": {
            **deployment["spec"],
            "template": {
                **deployment["spec"]["template"],
                "spec": {**deployment["spec"]["template"]["spec"], "containers": [container]},
            },
        },
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, K8S_VERSIONS[-1], strict=True)


def test_manifests_probe_the_health_endpoint_and_keep_sessions_on_one_replica():
    docs = {d["kind"]: d for _, d in _documents()}
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    (app,) = pod["containers"]
    assert app["ports"][0]["containerPort"] == PORT
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert app[probe]["httpGet"]["path"] == HEALTH, probe
    limits, requests = app["resources"]["limits"], app["resources"]["requests"]
    assert limits["memory"] and requests["memory"] and requests["cpu"]
    assert app["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["securityContext"]["runAsNonRoot"] is True
    labels = docs["Deployment"]["spec"]["template"]["metadata"]["labels"]
    for kind in ("Service", "PodDisruptionBudget"):
        selector = docs[kind]["spec"]["selector"]
        selector = selector.get("matchLabels", selector)
        assert selector.items() <= labels.items(), kind
    notes = docs["Ingress"]["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600  # websockets
    backend = docs["Ingress"]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == docs["Service"]["metadata"]["name"]


def test_haproxy_accepts_the_config():
    exe = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(exe).exists():
        pytest.skip("haproxy not installed (apt-get install haproxy; .ci/run does it)")
    out = subprocess.run(
        [exe, "-c", "-f", str(DEPLOY / "haproxy.cfg")], capture_output=True, text=True
    )
    assert out.returncode == 0 and "WARNING" not in out.stdout + out.stderr, out.stdout + out.stderr


def test_haproxy_keeps_a_tab_on_its_replica_and_checks_health():
    cfg = (DEPLOY / "haproxy.cfg").read_text()
    assert re.search(r"^\s+cookie LATENT_LAB_REPLICA insert .*\bdynamic\b", cfg, re.M)
    assert re.search(rf"http-check send meth GET uri {HEALTH}$", cfg, re.M)
    assert re.search(r"^\s+timeout tunnel 1h$", cfg, re.M)  # websockets stay open
    assert re.search(r"^\s+option redispatch$", cfg, re.M)  # a dead replica's tabs go elsewhere


def test_compose_runs_the_image_behind_the_proxy_with_the_config_it_mounts():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    app, proxy = compose["services"]["app"], compose["services"]["proxy"]
    assert app["build"]["dockerfile"] == "deploy/Dockerfile" and app["read_only"] is True
    assert "ports" not in app  # reached only through the proxy
    assert any(v.startswith("./haproxy.cfg:") for v in proxy["volumes"])
    env = proxy["environment"]
    used = set(re.findall(r"\$\{(LATENT_LAB_\w+)", (DEPLOY / "haproxy.cfg").read_text()))
    assert used <= set(env), used - set(env)
    assert env["LATENT_LAB_REPLICAS"] == f"app:{PORT}"
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"


def _dockerfile() -> str:
    return (DEPLOY / "Dockerfile").read_text()


def test_the_image_runs_as_a_user_on_the_apps_port_with_a_health_check():
    text = _dockerfile()
    assert re.search(rf"^EXPOSE {PORT}$", text, re.M)
    assert re.search(rf"^HEALTHCHECK .*\n.*{HEALTH}", text, re.M)
    assert re.search(r"^USER (?!root|0\b)\S+$", text, re.M)
    assert "--index-url https://download.pytorch.org/whl/cpu" in text
    torch_pin = re.search(r"^torch==(\S+)$", (REPO / "requirements.txt").read_text(), re.M).group(1)
    assert f"torch=={torch_pin}+cpu" in text  # the same release as requirements.txt, its CPU build


def _imported_top_level() -> set[str]:
    """Top-level names the app's own files import (streamlit_app.py, pages/, ui/, vae/)."""
    names = set()
    for path in [
        REPO / "streamlit_app.py",
        *REPO.glob("pages/*.py"),
        *REPO.glob("ui/*.py"),
        *REPO.glob("vae/*.py"),
    ]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_the_image_holds_everything_the_app_reads():
    copied = {
        line.split()[1].rstrip("/")
        for line in _dockerfile().splitlines()
        if line.startswith("COPY ")
    }
    local = {n for n in _imported_top_level() if (REPO / n).is_dir() or (REPO / f"{n}.py").exists()}
    assert local <= copied, local - copied  # every package of this repository the app imports
    assert {"streamlit_app.py", "pages", "cache", ".streamlit", "assets", "static"} <= copied
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    for path in copied - {"./"}:
        assert f"!{path}/" in ignore or f"!{path}" in ignore, path  # not left out of the context
