"""libsvm-official (used by visqol) loads its C library with ctypes from its own package folder
(``glob(dirname(__file__) + '/clib.cpython-*')``), not by import: collect that file into ``libsvm/``."""

from pathlib import Path

from PyInstaller.utils.hooks import get_module_file_attribute

package_dir = Path(get_module_file_attribute("libsvm")).parent
binaries = [(str(p), "libsvm") for p in package_dir.glob("clib*") if p.suffix in (".so", ".pyd", ".dll", ".dylib")]
