"""The shipped demo image: rebuilt byte for byte, small, and full of findings."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

from mamori.demo.image import build, demo_image
from mamori.gate.image.service import ImageRequest, run_image_gate


def test_shipped_demo_image_is_the_built_one_and_small() -> None:
    data = demo_image().read_bytes()
    # the tar inside (gzip's bytes may differ between zlib versions); regenerate with: python -m mamori.demo.image
    assert gzip.decompress(data) == gzip.decompress(build())
    assert len(data) < 200_000


def test_demo_image_shows_findings() -> None:
    report = run_image_gate(ImageRequest(demo_image(), datetime(2026, 12, 1, tzinfo=UTC), sample_data=True))
    names = {r.package.name: r for r in report.packages if r.decision.vulns}
    assert {
        "libc6",
        "libssl3",
        "openssl",
        "requests",
        "lodash",
        "org.apache.logging.log4j:log4j-core",
    } <= set(names)
    assert report.tags == ("mamori-demo/shop:1.0",) and report.layers[2].created_by.startswith("RUN rm")
    assert [s.removed_in_layer for s in report.secrets] == [2, 2]
    assert report.exit_code == 1


def test_the_demo_estate_runs_the_demo_image() -> None:
    """The ECS service the demo seeds names the shipped image by the digest `gate image --demo` looks up."""
    from mamori.demo.image import demo_image
    from mamori.demo.seeds.ecs import DEMO_IMAGE_DIGEST
    from mamori.gate.image.archive import open_image
    from mamori.gate.image.limits import DEFAULT_LIMITS

    with open_image(demo_image(), DEFAULT_LIMITS) as image:
        assert DEMO_IMAGE_DIGEST in (image.digest, image.config_digest)
