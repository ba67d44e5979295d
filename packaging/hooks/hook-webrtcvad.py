"""Override of the contrib hook: the module ``webrtcvad`` comes from the distribution ``webrtcvad-wheels``
(which has Windows wheels), not ``webrtcvad``; the contrib hook asks for the latter's metadata and aborts the build.
"""

from importlib import metadata

from PyInstaller.utils.hooks import copy_metadata

datas = []
for dist in ("webrtcvad-wheels", "webrtcvad"):
    try:
        metadata.distribution(dist)
    except metadata.PackageNotFoundError:
        continue
    datas = copy_metadata(dist)
    break
