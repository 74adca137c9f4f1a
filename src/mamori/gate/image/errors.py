"""The image gate's exceptions.

    MamoriError
    └── InputError
        └── ImageError          an image archive, layer or package database that cannot be read
                                (the archive is ``source``; the member or blob is ``where``)

Libraries raise these; ``mamori.cli`` maps InputError to exit 2.
"""

from __future__ import annotations

from mamori.errors import InputError


class ImageError(InputError):
    """An image archive, one of its layers, or a package database inside it that cannot be read."""
