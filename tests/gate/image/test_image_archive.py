"""Reading images: docker save and OCI layouts, layers applied in order, whiteouts, links, bounds."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mamori.gate.image.archive import open_image
from mamori.gate.image.errors import ImageError
from mamori.gate.image.fs import FileSystem, norm_path
from mamori.gate.image.layers import walk_image
from mamori.gate.image.limits import DEFAULT_LIMITS, Limits
from tests.gate.image.builders import Link, docker_archive, layer_tar, oci_dir, oci_tar


def _walk(path: Path, limits: Limits = DEFAULT_LIMITS, visit=None):
    with open_image(path, limits) as image:
        return image, walk_image(image, limits, lambda p: True, lambda p: False, visit)


def _write(tmp_path: Path, data: bytes, name: str = "img.tar") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


LAYERS = [
    layer_tar({"etc/": None, "etc/a.txt": b"one", "etc/conf.d/": None, "etc/conf.d/x": b"x", "etc/conf.d/y": b"y",
               "usr/lib/os-release": b"ID=debian\nVERSION_ID=12\n", "etc/os-release": Link("../usr/lib/os-release")}),
    layer_tar({"etc/.wh.a.txt": b"", "etc/conf.d/.wh..wh..opq": b"", "etc/conf.d/z": b"z", "etc/b.txt": b"two"},
              gz=True),
]  # fmt: skip


@pytest.mark.parametrize("kind", ["docker", "oci-tar", "oci-dir"])
def test_layers_apply_in_order_with_whiteouts(tmp_path: Path, kind: str) -> None:
    if kind == "docker":
        path = _write(tmp_path, docker_archive(LAYERS))
    elif kind == "oci-tar":
        path = _write(tmp_path, oci_tar(LAYERS))
    else:
        path = oci_dir(tmp_path / "layout", LAYERS)
    image, walk = _walk(path)
    fs = walk.fs
    assert image.format == ("docker-archive" if kind == "docker" else "oci-layout")
    assert image.digest and image.digest.startswith("sha256:")
    assert image.tags == ("demo/app:1.0",)
    assert len(image.layers) == 2 and all(la.digest.startswith("sha256:") for la in image.layers)
    assert "etc/a.txt" not in fs.entries  # .wh.a.txt
    assert fs.file("etc/b.txt").data == b"two"
    # the opaque whiteout emptied conf.d of the lower layer's files, kept this layer's
    assert sorted(p for p in fs.entries if p.startswith("etc/conf.d/")) == ["etc/conf.d/z"]
    assert fs.file("etc/os-release").data == b"ID=debian\nVERSION_ID=12\n"  # via the symlink
    assert walk.deleted["etc/a.txt"] == 1


def test_every_layer_file_is_visited_also_the_deleted_ones(tmp_path: Path) -> None:
    seen: list[tuple[int, str]] = []
    _walk(_write(tmp_path, docker_archive(LAYERS)), visit=lambda ref, p, d: seen.append((ref.index, p)))
    assert (0, "etc/a.txt") in seen and (0, "etc/conf.d/x") in seen and (1, "etc/b.txt") in seen


def test_members_that_climb_out_are_ignored_and_nothing_is_written(tmp_path: Path) -> None:
    evil = layer_tar(
        {"../../escape.txt": b"x", "/abs/file": b"y", "a/../../b": b"z", "ok/link": Link("/../../etc/passwd")}
    )
    path = _write(tmp_path, docker_archive([evil]))
    before = set(tmp_path.rglob("*"))
    _, walk = _walk(path)
    assert set(tmp_path.rglob("*")) == before  # nothing extracted
    assert "abs/file" in walk.fs.entries  # an absolute name is inside the image root
    assert not any("escape" in p for p in walk.fs.entries)
    assert sum("climbs above the root" in n for n in walk.notices) == 2
    # a symlink out of the root resolves inside it (as in a chroot)
    assert walk.fs.resolve("ok/link") == "etc/passwd"


def test_symlink_loops_do_not_hang() -> None:
    fs = FileSystem()
    from mamori.gate.image.fs import Entry, Kind

    fs.entries["a"] = Entry(Kind.SYMLINK, 0, target="b")
    fs.entries["b"] = Entry(Kind.SYMLINK, 0, target="a")
    assert fs.resolve("a/x") is None


def test_norm_path() -> None:
    assert norm_path("./a//b/") == "a/b"
    assert norm_path("/a/../b") == "b"
    assert norm_path("../a") is None
    assert norm_path("a/../../b") is None


def test_hard_links_share_the_file(tmp_path: Path) -> None:
    layer = layer_tar({"bin/a": b"data", "bin/b": Link("bin/a", hard=True), "bin/c": Link("nope", hard=True)})
    _, walk = _walk(_write(tmp_path, docker_archive([layer])))
    assert walk.fs.file("bin/b").data == b"data"
    assert "bin/c" not in walk.fs.entries and any("hard link" in n for n in walk.notices)


def test_entry_and_size_caps(tmp_path: Path) -> None:
    path = _write(tmp_path, docker_archive([layer_tar({f"f{i}": b"x" * 100 for i in range(50)})]))
    with pytest.raises(ImageError, match="more than 10 files"):
        _walk(path, Limits(max_entries=10))
    with pytest.raises(ImageError, match="uncompressed bytes"):
        _walk(path, Limits(max_total_bytes=1000))
    with pytest.raises(ImageError, match="links"):
        _walk(_write(tmp_path, docker_archive([layer_tar({f"l{i}": Link("x") for i in range(5)})]), "l.tar"),
              Limits(max_links=2))  # fmt: skip
    with pytest.raises(ImageError, match="layers"):
        _walk(_write(tmp_path, docker_archive([layer_tar({"a": b"1"})] * 3), "m.tar"), Limits(max_layers=2))


def test_bad_inputs_name_the_file_and_member(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="not a readable image archive"):
        _walk(_write(tmp_path, b"not a tar at all" * 100))
    with pytest.raises(ImageError, match="neither a docker save archive"):
        _walk(_write(tmp_path, layer_tar({"hello": b"x"}), "plain.tar"))
    # a layer that is not a tar: the archive and the member are named
    bad = docker_archive([b"garbage" * 200])
    with pytest.raises(ImageError) as err:
        _walk(_write(tmp_path, bad, "bad.tar"))
    assert "bad.tar" in str(err.value) and "layer.tar" in str(err.value)
    zstd = docker_archive([b"\x28\xb5\x2f\xfd" + b"\x00" * 600])
    with pytest.raises(ImageError, match="zstd"):
        _walk(_write(tmp_path, zstd, "z.tar"))


def test_manifest_paths_are_checked(tmp_path: Path) -> None:
    import json

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in {"manifest.json": json.dumps([{"Config": "c.json", "Layers": ["../../etc/passwd"]}]).encode(),
                           "c.json": b"{}"}.items():  # fmt: skip
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with pytest.raises(ImageError, match="leaves the archive"):
        _walk(_write(tmp_path, buf.getvalue()))


def test_oci_blob_names_must_be_digests(tmp_path: Path) -> None:
    layout = oci_dir(tmp_path / "layout", [layer_tar({"a": b"1"})])
    (layout / "index.json").write_text(
        '{"schemaVersion": 2, "manifests": [{"digest": "sha256:../../../../etc/passwd"}]}'
    )
    with pytest.raises(ImageError, match="not a content digest"):
        _walk(layout)


def test_oci_directory_symlink_out_is_refused(tmp_path: Path) -> None:
    layout = oci_dir(tmp_path / "layout", [layer_tar({"a": b"1"})])
    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    (layout / "index.json").unlink()
    (layout / "index.json").symlink_to(outside)
    with pytest.raises(ImageError, match="symlink out"):
        _walk(layout)


_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_SETTINGS
@given(st.binary(max_size=4000), st.integers(min_value=0, max_value=3))
def test_random_or_mutated_archives_only_raise_image_errors(tmp_path: Path, junk: bytes, where: int) -> None:
    """Whatever the bytes: an ImageError (file named) or a result; never another exception, never a write."""
    good = docker_archive([layer_tar({"etc/os-release": b"ID=alpine\nVERSION_ID=3.19.0\n", "x": b"y" * 50})])
    if where == 0:
        data = junk
    elif where == 1:
        data = good[: len(good) // 2] + junk
    elif where == 2:
        pos = len(junk) % len(good)
        data = good[:pos] + junk + good[pos + len(junk) :]
    else:
        data = good[:512] + junk[:512] + good[1024:]
    path = tmp_path / "fuzz.tar"
    path.write_bytes(data)
    try:
        _walk(path, Limits(max_total_bytes=1 << 20))
    except ImageError as exc:
        assert str(path) in str(exc)


@_SETTINGS
@given(
    st.lists(
        st.tuples(st.text(alphabet="ab./_-", min_size=1, max_size=12), st.binary(max_size=20)), max_size=12
    )
)
def test_random_member_names_stay_inside_the_root(tmp_path: Path, members: list[tuple[str, bytes]]) -> None:
    layer = layer_tar(dict(members))
    path = tmp_path / "names.tar"
    path.write_bytes(docker_archive([layer, layer_tar({".wh.a": b"", "b/.wh..wh..opq": b""})]))
    _, walk = _walk(path)
    for p in walk.fs.entries:
        assert p and not p.startswith("/") and ".." not in p.split("/")


def test_a_blob_that_does_not_match_its_digest_is_refused(tmp_path: Path) -> None:
    layout = oci_dir(tmp_path / "layout", [layer_tar({"etc/a": b"1"}, gz=True)])
    _walk(layout)  # intact: fine
    blob = next(p for p in (layout / "blobs" / "sha256").iterdir() if p.read_bytes()[:2] == b"\x1f\x8b")
    import gzip

    blob.write_bytes(gzip.compress(layer_tar({"etc/a": b"2"}), mtime=0))
    with pytest.raises(ImageError, match="does not match its sha256 digest") as err:
        _walk(layout)
    assert blob.name in str(err.value)


def test_several_images_or_platforms_say_which_one_was_scanned(tmp_path: Path) -> None:
    import json

    layout = oci_dir(tmp_path / "layout", [layer_tar({"a": b"1"})])
    index = json.loads((layout / "index.json").read_text())
    arm = {**index["manifests"][0], "platform": {"os": "linux", "architecture": "arm64"}}
    amd = {**index["manifests"][0], "platform": {"os": "linux", "architecture": "amd64"}}
    (layout / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [arm, amd]}))
    image, _ = _walk(layout)
    assert image.notes == (f"the index lists 2 manifests: linux/amd64 ({amd['digest']}) was scanned",)
