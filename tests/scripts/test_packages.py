"""Packages from the center: integrity (checksum, signature), the offline cache, the bundled fallback."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from agentdesk import paths
from agentdesk.center.api import CenterError
from agentdesk.i18n import Text
from agentdesk.support_scripts.packages import (
    PackageError,
    PackageRef,
    PackageStore,
    build_package,
    parse_manifest,
    read_package,
    verify,
)
from tests.scripts.conftest import GOOD_FLOW

CENTER_FLOW = GOOD_FLOW.replace("id: demo", "id: center-demo").replace('"デモ"', '"センター配布のデモ"')
BROKEN = "format: 1\nkind: flow\nid: broken\nversion: \"1.0.0\"\nlanguage: ja\ntitle: {ja: \"壊れ\", en: \"Broken\"}\n" \
         "start: a\nsteps:\n  a:\n    title: {ja: \"a\", en: \"a\"}\n    next: nowhere\n"


class FakeCenter:
    """Serves package bytes like the center API would; can go offline."""

    def __init__(self) -> None:
        self.blobs: dict[tuple[str, str], bytes] = {}
        self.online = True
        self.calls: list[tuple[str, str]] = []

    def publish(self, blob: bytes, ref: PackageRef) -> None:
        self.blobs[(ref.name, ref.version)] = blob

    def fetch(self, name: str, version: str) -> bytes:
        self.calls.append((name, version))
        if not self.online:
            raise CenterError(Text(ja="センターに接続できません", en="center unreachable"))
        return self.blobs[(name, version)]


@pytest.fixture
def center() -> FakeCenter:
    return FakeCenter()


def test_package_is_deterministic_and_verifies() -> None:
    blob1, ref1 = build_package([("flows/demo.yaml", CENTER_FLOW)], "isp-tech", "2.0.0")
    blob2, ref2 = build_package([("flows/demo.yaml", CENTER_FLOW)], "isp-tech", "2.0.0")
    assert blob1 == blob2 and ref1 == ref2
    assert ref1.sha256 == hashlib.sha256(blob1).hexdigest()
    verify(ref1, blob1)
    assert read_package(blob1, ref1.label) == [("isp-tech 2.0.0!flows/demo.yaml", CENTER_FLOW)]


def test_tampered_package_is_rejected_and_not_cached(center: FakeCenter) -> None:
    blob, ref = build_package([("flows/demo.yaml", CENTER_FLOW)], "isp-tech", "2.0.0")
    tampered = blob.replace(b"\x00", b"\x01", 1)
    center.publish(tampered, ref)
    with pytest.raises(PackageError, match="checksum"):
        verify(ref, tampered)
    store = PackageStore(fetch=center.fetch)
    lib = store.load([ref])
    assert "center-demo" not in lib.flows
    assert "internet-not-connecting" in lib.flows  # bundled fallback
    texts = [n.message.en for n in lib.notices]
    assert any("checksum mismatch" in t for t in texts), texts
    assert any("bundled" in t for t in texts), texts
    assert store.cached() == {}


def test_download_then_offline_uses_the_cache(center: FakeCenter) -> None:
    blob, ref = build_package([("flows/demo.yaml", CENTER_FLOW)], "isp-tech", "2.0.0")
    center.publish(blob, ref)
    store = PackageStore(fetch=center.fetch)
    lib = store.load([ref])
    assert "center-demo" in lib.flows and lib.notices == []
    assert "isp-tech 2.0.0" in lib.origin.en
    cached_zip = paths.data_dir() / "support_scripts" / "packages" / "isp-tech" / "2.0.0" / "package.zip"
    assert cached_zip.read_bytes() == blob

    center.online = False
    center.calls.clear()
    again = PackageStore(fetch=center.fetch).load([ref])  # same version: served from the cache, no download
    assert center.calls == [] and "center-demo" in again.flows

    _blob3, ref3 = build_package([("flows/demo.yaml", CENTER_FLOW.replace("1.0.0", "1.1.0"))], "isp-tech", "2.1.0")
    newer = PackageStore(fetch=center.fetch).load([ref3])  # a newer version is announced, but we are offline
    assert center.calls == [("isp-tech", "2.1.0")]
    assert newer.flows["center-demo"].version == "1.0.0"
    texts = [n.message.en for n in newer.notices]
    assert any("offline" in t for t in texts) and any("cached isp-tech 2.0.0" in t for t in texts), texts

    no_manifest = PackageStore().load()  # no center at all: the newest verified cache
    assert "center-demo" in no_manifest.flows


def test_offline_with_nothing_cached_falls_back_to_bundled(center: FakeCenter) -> None:
    _blob, ref = build_package([("flows/demo.yaml", CENTER_FLOW)], "isp-tech", "2.0.0")
    center.online = False
    lib = PackageStore(fetch=center.fetch).load([ref])
    assert center.calls == [("isp-tech", "2.0.0")]
    assert "center-demo" not in lib.flows and len(lib.flows) >= 8
    assert lib.origin.en == "bundled scripts"
    texts = [n.message.en for n in lib.notices]
    assert any("Cannot download isp-tech 2.0.0 (offline?)" in t for t in texts), texts
    assert any("Using the bundled scripts" in t for t in texts), texts


def test_cache_changed_on_disk_is_refused(center: FakeCenter) -> None:
    blob, ref = build_package([("flows/demo.yaml", CENTER_FLOW)], "isp-tech", "2.0.0")
    center.publish(blob, ref)
    store = PackageStore(fetch=center.fetch)
    store.sync([ref])
    cached_zip = store.cache_dir / "isp-tech" / "2.0.0" / "package.zip"
    cached_zip.write_bytes(build_package([("flows/demo.yaml", BROKEN)], "isp-tech", "2.0.0")[0])
    lib = PackageStore().load()
    assert "center-demo" not in lib.flows and "internet-not-connecting" in lib.flows
    assert any("checksum mismatch" in n.message.en for n in lib.notices)


def test_broken_file_in_a_package_is_skipped_with_a_notice(center: FakeCenter) -> None:
    blob, ref = build_package([("flows/demo.yaml", CENTER_FLOW), ("flows/broken.yaml", BROKEN)], "isp-tech", "3.0.0")
    center.publish(blob, ref)
    lib = PackageStore(fetch=center.fetch).load([ref])
    assert "center-demo" in lib.flows and "broken" not in lib.flows
    (notice,) = [n for n in lib.notices if n.problem is not None]
    assert notice.problem.file == "isp-tech 3.0.0!flows/broken.yaml"
    assert (notice.problem.line, notice.problem.column) == (11, 11)
    assert "isp-tech 3.0.0!flows/broken.yaml:11:11" in notice.message.ja


def test_signatures(center: FakeCenter) -> None:
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    other = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    blob, ref = build_package([("flows/demo.yaml", CENTER_FLOW)], "isp-tech", "2.0.0", private_key=key)
    verify(ref, blob, [public], require_signature=True)
    with pytest.raises(PackageError, match="signature"):
        verify(ref, blob, [other])
    forged = PackageRef(ref.name, "9.9.9", ref.sha256, ref.signature)  # a signature does not carry to another version
    with pytest.raises(PackageError, match="signature"):
        verify(forged, blob, [public])
    unsigned_blob, unsigned = build_package([("flows/demo.yaml", CENTER_FLOW)], "isp-tech", "2.0.0")
    with pytest.raises(PackageError, match="not signed"):
        verify(unsigned, unsigned_blob, [public], require_signature=True)
    center.publish(blob, ref)
    lib = PackageStore(fetch=center.fetch, trusted_keys=[other]).load([ref])
    assert "center-demo" not in lib.flows


def test_manifest_parsing() -> None:
    good = {"packages": [{"name": "isp-tech", "version": "2.0.0", "sha256": "A" * 64}]}
    assert parse_manifest(good) == [PackageRef("isp-tech", "2.0.0", "a" * 64)]
    # provisioning's support_script_packages (docs/center-api.yaml) also carry the download URL: the fetch uses it
    provisioning = [{"name": "isp-tech", "version": "2.0.0", "url": "https://center/p.zip", "sha256": "b" * 64}]
    assert parse_manifest(provisioning) == [PackageRef("isp-tech", "2.0.0", "b" * 64)]
    with pytest.raises(PackageError, match="sha256"):  # without a checksum there is nothing to verify against
        parse_manifest([{"name": "isp-tech", "version": "2.0.0", "url": "https://center/p.zip"}])
    for bad in ({"packages": [{"name": "../x", "version": "1", "sha256": "a" * 64}]},
                {"packages": [{"name": "x", "version": "1", "sha256": "abc"}]},
                {"packages": "x"}):
        with pytest.raises(PackageError):
            parse_manifest(bad)


def test_unsafe_archive_members_are_ignored() -> None:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../evil.yaml", CENTER_FLOW)
        zf.writestr("flows/ok.yaml", CENTER_FLOW)
        zf.writestr("run.exe", b"MZ")
    assert [n for n, _ in read_package(buf.getvalue(), "p")] == ["p!flows/ok.yaml"]


def test_cli_pack_builds_a_verifiable_package(tmp_path: Path, capsys) -> None:
    from agentdesk import cli

    src = tmp_path / "src"
    (src / "flows").mkdir(parents=True)
    (src / "flows" / "demo.yaml").write_text(CENTER_FLOW, encoding="utf-8")
    out = tmp_path / "p.zip"
    assert cli.main(["scripts", "pack", str(src), "--name", "isp-tech", "--version", "2.0.0", "-o", str(out)]) == 0
    ref = PackageRef.from_dict(json.loads(capsys.readouterr().out))
    verify(ref, out.read_bytes())
