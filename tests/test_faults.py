"""Fault injection: the app runs on a copy of cache/ with files removed, truncated or tampered.

The page that needs the broken file names it and the rebuild command; the other pages work.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import streamlit as st

from tests.pageutil import REPO, app, texts
from vae import artefacts

pytestmark = pytest.mark.slow
CACHE = REPO / "cache"


@pytest.fixture
def broken_cache(tmp_path, monkeypatch):
    """A copy of cache/ used by the app (LATENT_LAB_CACHE); returns its path."""
    for name in ("models/vae-2d.pt", "models/ae-2d.pt", "codes/vae-2d.npz", "codes/ae-2d.npz"):
        if not (CACHE / name).exists():
            pytest.skip(f"cache/{name} not built")
    dst = tmp_path / "cache"
    shutil.copytree(CACHE, dst)
    monkeypatch.setenv("LATENT_LAB_CACHE", str(dst))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield dst
    st.cache_resource.clear()
    st.cache_data.clear()


def _truncate(p: Path) -> None:
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _tamper(p: Path) -> None:
    b = bytearray(p.read_bytes())
    mid = len(b) // 2
    b[mid : mid + 16] = bytes(16)  # same size, different content
    p.write_bytes(bytes(b))


@pytest.mark.parametrize("damage", ["missing", "truncated", "tampered", "garbage"])
def test_broken_checkpoint_names_file_and_command(broken_cache, damage):
    p = broken_cache / "models" / "vae-2d.pt"
    if damage == "missing":
        p.unlink()
    elif damage == "truncated":
        _truncate(p)
    elif damage == "tampered":
        _tamper(p)
    else:
        p.write_bytes(b"not a checkpoint at all")
    at = app("pages/01_AE_vs_VAE.py")
    msg = "\n".join(e.value for e in at.error)
    assert "vae-2d.pt" in msg and "python -m vae.build" in msg, msg
    # the page stops cleanly: no traceback, title still there
    assert "AE vs VAE" in texts(at)


@pytest.mark.parametrize("damage", ["missing", "truncated", "tampered"])
def test_broken_codes_file(broken_cache, damage):
    p = broken_cache / "codes" / "ae-2d.npz"
    {"missing": Path.unlink, "truncated": _truncate, "tampered": _tamper}[damage](p)
    at = app("pages/01_AE_vs_VAE.py")
    msg = "\n".join(e.value for e in at.error)
    assert "ae-2d.npz" in msg and "python -m vae.build" in msg, msg


def test_missing_test_set_copy(broken_cache):
    (broken_cache / "mnist_test.npz").unlink()
    at = app("pages/03_Grid_vs_ppf.py")
    msg = "\n".join(e.value for e in at.error)
    assert "mnist_test.npz" in msg and "python -m vae.build" in msg


def test_other_pages_still_work(broken_cache):
    (broken_cache / "models" / "ae-2d.pt").unlink()
    if not (broken_cache / "models" / "vae-10d.pt").exists():
        pytest.skip("vae-10d not built")
    at = app("pages/04_Prototypes.py")
    assert not at.error, [e.value for e in at.error]
    home = app("streamlit_app.py")
    assert any("ae-2d" in w.value or "cannot be used" in w.value for w in home.warning)


@pytest.mark.parametrize("damage", ["missing", "truncated", "tampered"])
def test_broken_stored_numbers_are_computed_instead(broken_cache, damage):
    """A broken ``cache/numbers`` file (``vae.stored_numbers``) costs seconds, not the lesson: the
    ELBO page computes its featured image's numbers (the same ones, to rounding) and Train it
    yourself measures the pretrained model's held-out score, each with torch, as for any other
    input."""
    from vae import stored_numbers

    stored = artefacts.load_numbers("vae-2d")
    p = broken_cache / "numbers" / "vae-2d.npz"
    {"missing": Path.unlink, "truncated": _truncate, "tampered": _tamper}[damage](p)
    at = app("pages/14_ELBO_bound.py", {"elbo_idx": "0"})
    assert not at.error, [e.value for e in at.error]
    shown = {m.label: float(m.value) for m in at.metric}
    b, _ = stored_numbers.featured(stored, 0)
    assert shown["log p(x)"] == pytest.approx(b.gap.log_px, abs=0.01)
    assert shown["ELBO"] == pytest.approx(b.gap.elbo, abs=0.01)
    train = app("pages/13_Train_it_yourself.py")
    assert not train.error, [e.value for e in train.error]
    held = stored_numbers.heldout(stored)
    assert f"{held['elbo']:.1f} nats" in texts(train)


def test_checkpoint_of_other_architecture_is_refused(broken_cache):
    """A checkpoint whose weights don't fit the registry's architecture: clear refusal."""
    import torch

    src = broken_cache / "models" / "vae-2d.pt"
    blob = torch.load(src, weights_only=True)
    blob["model_config"]["hidden"] = 64  # weights no longer fit
    torch.save(blob, src)
    import json

    m = json.loads((broken_cache / "manifest.json").read_text())
    # a matching checksum: not a checksum problem, the architecture check must catch it
    m["files"]["models/vae-2d.pt"] = {"sha256": artefacts.sha256(src), "bytes": src.stat().st_size}
    (broken_cache / "manifest.json").write_text(json.dumps(m))
    at = app("pages/01_AE_vs_VAE.py")
    msg = "\n".join(e.value for e in at.error)
    assert "vae-2d.pt" in msg and "architecture" in msg, msg


# --- faults a checksum alone does not catch -------------------------------------------------------


def _manifest(cache: Path) -> dict:
    import json

    return json.loads((cache / "manifest.json").read_text())


def _write_manifest(cache: Path, m: dict) -> None:
    import json

    (cache / "manifest.json").write_text(json.dumps(m))


def _rerecord(cache: Path, rel: str) -> None:
    """Give a replaced file its own checksum in the manifest: only the other checks can catch it."""
    m = _manifest(cache)
    p = cache / rel
    m["files"][rel] = {"sha256": artefacts.sha256(p), "bytes": p.stat().st_size}
    _write_manifest(cache, m)


def _rewrite_checkpoint(path: Path, edit) -> None:
    import torch

    blob = torch.load(path, weights_only=True)
    edit(blob)
    torch.save(blob, path)


def _other_model(cache: Path) -> None:
    shutil.copy(cache / "models" / "ae-2d.pt", cache / "models" / "vae-2d.pt")
    _rerecord(cache, "models/vae-2d.pt")


def _no_metrics(cache: Path) -> None:
    _rewrite_checkpoint(cache / "models" / "vae-2d.pt", lambda b: b.pop("metrics"))
    _rerecord(cache, "models/vae-2d.pt")


def _renamed_config(cache: Path) -> None:
    """Weights that fit, but another beta than the registry's: a model trained for another entry."""
    _rewrite_checkpoint(
        cache / "models" / "vae-2d.pt", lambda b: b["model_config"].update(beta=5.0)
    )
    _rerecord(cache, "models/vae-2d.pt")


def _entry_not_object(cache: Path) -> None:
    m = _manifest(cache)
    m["files"]["models/vae-2d.pt"] = "not an object"
    _write_manifest(cache, m)


def _folder(cache: Path) -> None:
    (cache / "models" / "vae-2d.pt").unlink()
    (cache / "models" / "vae-2d.pt").mkdir()


def _manifest_gone(cache: Path) -> None:
    (cache / "manifest.json").unlink()


def _manifest_garbage(cache: Path) -> None:
    (cache / "manifest.json").write_text('{"files": [1, 2')


FAULTS = {
    "another model's file under the name": (_other_model, "vae-2d.pt", "holds model 'ae-2d'"),
    "a config that is not the registry's": (_renamed_config, "vae-2d.pt", "configuration differs"),
    "checkpoint without metrics": (_no_metrics, "vae-2d.pt", "has no metrics"),
    "manifest entry not an object": (
        _entry_not_object,
        "vae-2d.pt",
        "not listed in cache/manifest.json",
    ),
    "a folder in place of the file": (_folder, "vae-2d.pt", "not a regular file"),
    "manifest deleted": (_manifest_gone, "manifest.json", "is missing or unreadable"),
    "manifest garbage": (_manifest_garbage, "manifest.json", "is missing or unreadable"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_faults_that_checksums_miss_stop_with_a_message(broken_cache, fault):
    damage, file_word, problem = FAULTS[fault]
    damage(broken_cache)
    at = app("pages/01_AE_vs_VAE.py")  # app() asserts: no exception, no traceback element
    msg = "\n".join(e.value for e in at.error)
    assert file_word in msg and problem in msg and "python -m vae.build" in msg, msg
    home = app(
        "streamlit_app.py"
    )  # the home page lists the models and says which files are unusable
    assert home.warning, "the home page should say that some files cannot be used"


def test_unreadable_file_is_a_message(broken_cache, monkeypatch):
    """A file the server may not read (permissions; root ignores chmod, so the read is made to
    fail)."""
    real_read = artefacts.read_bytes

    def refused(real):
        def read(path: Path):
            if path.name == "vae-2d.pt":
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)

        return read

    monkeypatch.setattr(artefacts, "read_bytes", refused(real_read))  # read to load (read_verified)
    at = app("pages/01_AE_vs_VAE.py")
    msg = "\n".join(e.value for e in at.error)
    assert "vae-2d.pt" in msg and "cannot be read" in msg, msg


def test_models_folder_linked_out_of_cache_is_refused(broken_cache, tmp_path):
    outside = tmp_path / "elsewhere"
    shutil.move(str(broken_cache / "models"), str(outside))
    (broken_cache / "models").symlink_to(outside, target_is_directory=True)
    at = app("pages/01_AE_vs_VAE.py")
    msg = "\n".join(e.value for e in at.error)
    assert ".pt" in msg and "outside cache/" in msg, msg


def test_rebuild_command_restores_a_deleted_manifest(broken_cache, monkeypatch):
    """`python -m vae.build`, the command the message names, records the files again without
    training or recomputing anything, and the page works again."""
    from vae import build

    before = _manifest(broken_cache)["files"]
    (broken_cache / "manifest.json").unlink()
    monkeypatch.setattr(build, "_train_star", lambda job: pytest.fail(f"retrained {job[0]}"))
    monkeypatch.setattr(build, "write_codes", lambda *a: pytest.fail("recomputed codes"))
    assert build.main(["--jobs", "1"]) == 0
    after = _manifest(broken_cache)["files"]
    assert {k: v["sha256"] for k, v in after.items()} == {k: v["sha256"] for k, v in before.items()}
    app("pages/01_AE_vs_VAE.py")


def test_build_resumes_what_is_stale_and_only_builds_what_is_named(broken_cache, monkeypatch):
    """`python -m vae.build` trains only the models whose checkpoint is not current (a build cut
    short resumes where it stopped), and `--only NAME` only that model, even when others are
    stale."""
    from vae import build

    trained: list[str] = []

    def fake_train(job):
        trained.append(job[0])
        return {"name": job[0], "test_elbo": 0.0, "seconds": 0.0}

    monkeypatch.setattr(build, "_train_star", fake_train)
    monkeypatch.setattr(build, "write_codes", lambda *a: pytest.fail("recomputed codes"))
    monkeypatch.setattr(build, "refresh_metrics", lambda *a: pytest.fail("recomputed the bound"))
    monkeypatch.setattr(build, "checkpoint_current", lambda name: name not in ("vae-3d", "vae-5d"))
    assert build.main(["--jobs", "1"]) == 0
    assert sorted(trained) == ["vae-3d", "vae-5d"]
    trained.clear()
    assert build.main(["--only", "vae-5d", "--jobs", "1"]) == 0
    assert trained == ["vae-5d"]


def test_a_checkpoint_edited_in_place_with_its_mtime_restored_is_refused(broken_cache):
    """A page that showed vae-2d, then the file is edited in place (one byte, same size, mtime put
    back with os.utime): the next run refuses it with a message; the weights read before are not
    served for the new file (the model is cached per file signature, which the ctime moves)."""
    from tests.test_artefacts import flip_one_byte_keeping_times

    at = app("pages/01_AE_vs_VAE.py")
    assert not at.error
    flip_one_byte_keeping_times(broken_cache / "models" / "vae-2d.pt")
    at.run()
    msg = "\n".join(e.value for e in at.error)
    assert "vae-2d.pt" in msg and "checksum" in msg and "python -m vae.build" in msg, msg
