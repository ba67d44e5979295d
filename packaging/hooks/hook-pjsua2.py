"""PyInstaller hook for pjsua2-python (PJSIP 2.15 wheels).

On Linux the extension ``pjsua2/_pjsua2*.so`` links OpenSSL 1.0.2 and Kerberos libraries that the wheel carries in
``pjsua2_python.libs/`` (auditwheel). PyInstaller's binary analysis finds them as dependencies of the extension,
but ``pjsua2/__init__.py`` also loads libcrypto itself with ctypes (to call ``OpenSSL_add_all_digests``) by
globbing ``pjsua2/`` and ``../pjsua2_python.libs/``: so they are collected again, explicitly, into the same
relative directories, where that glob finds them.

The Windows wheel (2.15.1.post1, checked) links OpenSSL into its .pyd and carries no DLL: nothing extra is
collected there; the globs stay for a future delvewheel-repaired wheel.
"""

from pathlib import Path

from PyInstaller.utils.hooks import copy_metadata, get_module_file_attribute

package_dir = Path(get_module_file_attribute("pjsua2")).parent
site_dir = package_dir.parent

binaries = []
for directory, dest in ((package_dir, "pjsua2"), (site_dir / "pjsua2_python.libs", "pjsua2_python.libs")):
    if not directory.is_dir():
        continue
    for pattern in ("*.so*", "*.dll", "*.dylib"):
        for lib in directory.glob(pattern):
            if lib.name.startswith("_pjsua2"):
                continue  # the extension itself is collected as a module
            binaries.append((str(lib), dest))

# Windows: delvewheel puts the DLLs in site-packages/pjsua2_python.libs or pjsua2.libs as well.
alt = site_dir / "pjsua2.libs"
if alt.is_dir():
    binaries += [(str(lib), "pjsua2.libs") for lib in alt.glob("*.dll")]

hiddenimports = ["pjsua2.pjsua2", "pjsua2._pjsua2", "pjsua2._version"]
datas = copy_metadata("pjsua2-python")
