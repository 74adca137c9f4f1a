"""Offline IP -> country: geoip2fast's bundled data by default, or a MaxMind mmdb file.

No lookup ever leaves the machine. Non-addresses (``ec2.amazonaws.com``, ``AWS Internal``)
have no country; private ranges are ``private``.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from mamori.errors import InputError


class Geo(Protocol):
    def country(self, ip: str) -> str | None:
        """ISO country code, ``private``, or None when unknown / not an address."""
        ...


def _address(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(ip.strip())
    except ValueError:
        return None


class FastGeo:
    """geoip2fast with its IPv4+IPv6 data file (shipped in the wheel), loaded on first use."""

    def __init__(self) -> None:
        self._db: Any = None

    def _load(self) -> Any:
        if self._db is None:
            from geoip2fast import GeoIP2Fast

            self._db = GeoIP2Fast(geoip2fast_data_file="geoip2fast-ipv6.dat.gz")
        return self._db

    @lru_cache(maxsize=65536)  # noqa: B019 - one instance per process; addresses repeat a lot
    def country(self, ip: str) -> str | None:
        addr = _address(ip)
        if addr is None:
            return None
        if addr.is_private or addr.is_loopback:
            return "private"
        code = self._load().lookup(str(addr)).country_code
        return code if code and code != "--" else None


class MmdbGeo:
    """A MaxMind (GeoLite2 / GeoIP2) Country or City database (needs the ``maxminddb`` package)."""

    def __init__(self, path: str | Path) -> None:
        try:
            import maxminddb
        except ImportError as exc:
            raise InputError("--geoip-db needs the maxminddb package (pip install maxminddb)", source=str(path)) from exc
        try:
            self._reader = maxminddb.open_database(str(path))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot open the GeoIP database: {exc}", source=str(path)) from exc

    def country(self, ip: str) -> str | None:
        addr = _address(ip)
        if addr is None:
            return None
        if addr.is_private or addr.is_loopback:
            return "private"
        rec = self._reader.get(str(addr))
        if not isinstance(rec, dict):
            return None
        c = rec.get("country") or rec.get("registered_country") or {}
        code = c.get("iso_code") if isinstance(c, dict) else None
        return str(code) if code else None


def geo(path: str | Path | None = None) -> Geo:
    return MmdbGeo(path) if path else FastGeo()
