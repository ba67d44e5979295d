"""Script packages from the center: versioned, integrity-checked, cached for offline use; the bundled set is the fallback.

The center client is a separate piece; this module needs only two things from it (a narrow dependency):

- a manifest: entries ``{"name", "version", "sha256", "signature"?}`` (from provisioning), and
- a callable ``fetch(name, version) -> bytes`` that downloads one package archive.

A package is a ZIP of YAML files (flows and articles). Before anything is cached or loaded its SHA-256 must match
the manifest; when the app trusts Ed25519 public keys, the signature over ``name, version, sha256`` must verify
too (and with ``require_signature`` an unsigned package is refused). The cache lives in
``paths.data_dir()/support_scripts/packages/NAME/VERSION/`` and is verified again on every load, so a file
changed on disk is refused as well. Scripts hold no customer data, so caching them is allowed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import logging
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentdesk import paths
from agentdesk.i18n import Text
from agentdesk.support_scripts.library import Library, Notice, load_bundled, load_named, version_key
from agentdesk.support_scripts.lint import SCRIPT_SUFFIXES

log = logging.getLogger(__name__)

Fetch = Callable[[str, str], bytes]
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
VERSION_RE = re.compile(r"^[0-9]+(\.[0-9]+){0,3}$")
MAX_PACKAGE_BYTES = 20_000_000
MAX_MEMBERS = 2_000
MAX_UNPACKED_BYTES = 50_000_000
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


class PackageError(Exception):
    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


@dataclass(frozen=True)
class PackageRef:
    """One manifest entry: which package, which version, and how to recognise the genuine bytes."""

    name: str
    version: str
    sha256: str
    signature: str | None = None  # base64 Ed25519 signature of signed_message()

    @classmethod
    def from_dict(cls, data: Any) -> PackageRef:
        if not isinstance(data, dict):
            raise PackageError(Text(ja="マニフェストの項目が不正です", en="malformed manifest entry"))
        name, version, sha = data.get("name"), data.get("version"), data.get("sha256")
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise PackageError(Text(ja=f"パッケージ名が不正です: {name!r}", en=f"bad package name: {name!r}"))
        if not isinstance(version, str) or not VERSION_RE.match(version):
            raise PackageError(Text(ja=f"バージョンが不正です: {version!r}", en=f"bad package version: {version!r}"))
        if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", sha):
            raise PackageError(Text(ja=f"{name}: sha256 が不正です", en=f"{name}: bad sha256"))
        sig = data.get("signature")
        return cls(name, version, sha.lower(), sig if isinstance(sig, str) and sig else None)

    def as_dict(self) -> dict[str, str]:
        d = {"name": self.name, "version": self.version, "sha256": self.sha256}
        if self.signature:
            d["signature"] = self.signature
        return d

    def signed_message(self) -> bytes:
        return f"agentdesk-support-scripts\n{self.name}\n{self.version}\n{self.sha256}\n".encode()

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"


def parse_manifest(data: Any) -> list[PackageRef]:
    """``{"packages": [...]}`` or a plain list of entries."""
    entries = data.get("packages") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise PackageError(Text(ja="マニフェストの形式が不正です", en="malformed manifest"))
    return [PackageRef.from_dict(e) for e in entries]


def build_package(files: Iterable[tuple[str, str]], name: str, version: str,
                  private_key: Any | None = None) -> tuple[bytes, PackageRef]:
    """A package archive from (member name, YAML text) pairs, and its manifest entry (signed with an
    ``Ed25519PrivateKey`` when given). Deterministic: the same files give the same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, text in sorted(files):
            info = zipfile.ZipInfo(member, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))
    blob = buf.getvalue()
    ref = PackageRef(name, version, hashlib.sha256(blob).hexdigest())
    if private_key is not None:
        ref = PackageRef(name, version, ref.sha256, base64.b64encode(private_key.sign(ref.signed_message())).decode())
    PackageRef.from_dict(ref.as_dict())  # the same rules as a manifest from the center
    return blob, ref


def build_package_from_dir(directory: Path, name: str, version: str,
                           private_key: Any | None = None) -> tuple[bytes, PackageRef]:
    files = [(p.relative_to(directory).as_posix(), p.read_text(encoding="utf-8"))
             for p in sorted(directory.rglob("*")) if p.is_file() and p.suffix in SCRIPT_SUFFIXES]
    return build_package(files, name, version, private_key)


def verify(ref: PackageRef, blob: bytes, trusted_keys: Iterable[bytes] = (), require_signature: bool = False) -> None:
    """Raise :class:`PackageError` unless ``blob`` is the genuine package ``ref`` describes."""
    if len(blob) > MAX_PACKAGE_BYTES:
        raise PackageError(Text(ja=f"{ref.label}: パッケージが大きすぎます", en=f"{ref.label}: package too large"))
    digest = hashlib.sha256(blob).hexdigest()
    if not hmac.compare_digest(digest, ref.sha256):
        raise PackageError(Text(ja=f"{ref.label}: チェックサムが一致しません（改ざんまたは破損）",
                                en=f"{ref.label}: checksum mismatch (tampered or corrupt)"))
    keys = list(trusted_keys)
    if ref.signature is None:
        if require_signature:
            raise PackageError(Text(ja=f"{ref.label}: 署名がありません", en=f"{ref.label}: package is not signed"))
        return
    if not keys:
        return  # no key to check against: the checksum from the signed-in center is what we have
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        sig = base64.b64decode(ref.signature, validate=True)
    except ValueError as exc:
        raise PackageError(Text(ja=f"{ref.label}: 署名の形式が不正です", en=f"{ref.label}: malformed signature")) from exc
    for raw in keys:
        try:
            Ed25519PublicKey.from_public_bytes(raw).verify(sig, ref.signed_message())
            return
        except (InvalidSignature, ValueError):
            continue
    raise PackageError(Text(ja=f"{ref.label}: 署名を検証できません", en=f"{ref.label}: signature does not verify"))


def read_package(blob: bytes, label: str) -> list[tuple[str, str]]:
    """(``label!member``, text) for each YAML file in the archive; refuses unsafe or oversized archives."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(blob))
    except zipfile.BadZipFile as exc:
        raise PackageError(Text(ja=f"{label}: ZIP として読めません", en=f"{label}: not a ZIP archive")) from exc
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise PackageError(Text(ja=f"{label}: 中身が大きすぎます", en=f"{label}: archive content too large"))
    out = []
    for info in infos:
        member = info.filename
        if member.startswith(("/", "\\")) or ".." in Path(member).parts or info.is_dir():
            continue
        if Path(member).suffix not in SCRIPT_SUFFIXES:
            continue
        try:
            text = zf.read(info).decode("utf-8")
        except (UnicodeDecodeError, zipfile.BadZipFile, OSError) as exc:
            text = f"# unreadable: {exc}\n:"  # becomes a lint problem and a visible notice
        out.append((f"{label}!{member}", text))
    return out


class PackageStore:
    """The package cache and the logic around it (see the module doc)."""

    def __init__(self, fetch: Fetch | None = None, cache_dir: Path | None = None,
                 trusted_keys: Iterable[bytes] = (), require_signature: bool = False) -> None:
        self.fetch = fetch
        self.cache_dir = cache_dir or paths.data_dir() / "support_scripts" / "packages"
        self.trusted_keys = list(trusted_keys)
        self.require_signature = require_signature

    def _dir(self, ref: PackageRef) -> Path:
        return self.cache_dir / ref.name / ref.version

    def _cached_ref(self, directory: Path) -> PackageRef | None:
        try:
            return PackageRef.from_dict(json.loads((directory / "ref.json").read_text(encoding="utf-8")))
        except (OSError, ValueError, PackageError):
            return None

    def cached(self) -> dict[str, list[PackageRef]]:
        """Cached versions per package name, newest first."""
        out: dict[str, list[PackageRef]] = {}
        if not self.cache_dir.is_dir():
            return out
        for name_dir in sorted(self.cache_dir.iterdir()):
            refs = [r for v in name_dir.iterdir() if v.is_dir() and (r := self._cached_ref(v)) is not None]
            if refs:
                out[name_dir.name] = sorted(refs, key=lambda r: version_key(r.version), reverse=True)
        return out

    def _read_cached(self, ref: PackageRef) -> bytes:
        blob = (self._dir(ref) / "package.zip").read_bytes()
        verify(ref, blob, self.trusted_keys, self.require_signature)
        return blob

    def sync(self, manifest: Iterable[PackageRef]) -> list[Notice]:
        """Download what the manifest lists and the cache lacks. Never raises: problems become notices."""
        notices: list[Notice] = []
        for ref in manifest:
            directory = self._dir(ref)
            have = self._cached_ref(directory)
            if have == ref and (directory / "package.zip").exists():
                continue
            if self.fetch is None:
                notices.append(Notice(Text(ja=f"{ref.label} を取得できません（センター未接続）",
                                           en=f"Cannot download {ref.label} (no center connection)")))
                continue
            try:
                blob = self.fetch(ref.name, ref.version)
                verify(ref, blob, self.trusted_keys, self.require_signature)
            except PackageError as exc:
                log.warning("script package refused: %s", exc)
                notices.append(Notice(Text(ja=f"スクリプトパッケージを拒否しました: {exc.message.ja}",
                                           en=f"Refused a script package: {exc.message.en}")))
                continue
            except Exception as exc:  # the center is unreachable, or any failure of the download
                msg = getattr(exc, "message", None)
                detail = msg if isinstance(msg, Text) else Text(ja=str(exc), en=str(exc))
                log.warning("script package %s not downloaded: %s", ref.label, detail.en)
                notices.append(Notice(Text(ja=f"{ref.label} をダウンロードできません（オフライン？）: {detail.ja}",
                                           en=f"Cannot download {ref.label} (offline?): {detail.en}")))
                continue
            directory.mkdir(parents=True, exist_ok=True)
            tmp = directory / "package.zip.part"
            tmp.write_bytes(blob)
            os.replace(tmp, directory / "package.zip")
            (directory / "ref.json").write_text(json.dumps(ref.as_dict()), encoding="utf-8")
        return notices

    def load(self, manifest: Iterable[PackageRef] | None = None, include_bundled: bool = True) -> Library:
        """The library to use now: the manifest's packages (downloaded if needed) or, offline, the newest verified
        cached versions; bundled flows fill whatever the packages do not provide."""
        notices: list[Notice] = []
        wanted: list[PackageRef]
        if manifest is not None:
            wanted = list(manifest)
            notices += self.sync(wanted)
        else:
            wanted = []
        cached = self.cached()
        chosen: list[PackageRef] = []
        lib = Library()
        names = [r.name for r in wanted] or list(cached)
        for name in dict.fromkeys(names):
            exact = next((r for r in wanted if r.name == name), None)
            candidates = cached.get(name, [])
            if exact is not None:
                candidates = sorted(candidates, key=lambda r: r != exact)  # the manifest's version first
            for ref in candidates:
                try:
                    blob = self._read_cached(ref)
                except (OSError, PackageError) as exc:
                    msg = exc.message if isinstance(exc, PackageError) else Text(ja=str(exc), en=str(exc))
                    notices.append(Notice(Text(ja=f"保存済みパッケージを使えません: {msg.ja}",
                                               en=f"Cannot use a cached package: {msg.en}")))
                    continue
                if exact is not None and ref != exact:
                    notices.append(Notice(Text(ja=f"最新版を取得できないため、保存済みの {ref.label} を使います",
                                               en=f"Using the cached {ref.label}: the newest version is unavailable")))
                chosen.append(ref)
                load_named(read_package(blob, ref.label), lib)
                break
        if chosen:
            lib.origin = Text(ja="センター配布: " + "、".join(r.label for r in chosen),
                              en="From the center: " + ", ".join(r.label for r in chosen))
        if include_bundled or not chosen:
            bundled = load_bundled()
            for table, btable in ((lib.flows, bundled.flows), (lib.articles, bundled.articles)):
                for key, item in btable.items():
                    table.setdefault(key, item)  # type: ignore[arg-type]
            lib.invalidate()
            if not chosen:
                lib.origin = bundled.origin
                if wanted or cached:
                    notices.append(Notice(Text(ja="センターのスクリプトを使えないため、同梱スクリプトを使います",
                                               en="Using the bundled scripts: the center's packages are unavailable")))
            notices += bundled.notices
        lib.notices[:0] = notices
        return lib
