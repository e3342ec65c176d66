"""Numbers in the Vietnamese messages of the file layer (images, YAML aliases, limits) use the Vietnamese
grouping ("50.000.000"), never Python's English ``{n:,}`` ("50,000,000")."""

from __future__ import annotations

import struct
import zlib

import pytest

from qms.i18n import use_language
from qms.store import limits
from qms.store.images import check_raster
from qms.store.safe_open import FileRefused
from qms.store.yaml_io import load_text


def _png(width: int, height: int) -> bytes:
    """A PNG header declaring ``width`` × ``height`` (never decoded: the header decides)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    limits.reset()


def test_image_pixels_message_groups_digits_in_vietnamese() -> None:
    """N1: a decompression-bomb image is refused with "100.000 × 100.000 điểm ảnh ... 50.000.000" in Vietnamese;
    before, "100,000 × 100,000 ... 50,000,000"."""
    with use_language("vi"), pytest.raises(FileRefused) as caught:
        check_raster("logo.png", _png(100_000, 100_000), limits.current())
    text = str(caught.value)
    assert "100.000 × 100.000" in text and "50.000.000" in text, text
    assert "100,000" not in text and "50,000,000" not in text, text
    with use_language("en"), pytest.raises(FileRefused) as caught:
        check_raster("logo.png", _png(100_000, 100_000), limits.current())
    assert "100,000 × 100,000" in str(caught.value)


def test_alias_bomb_message_groups_digits_in_vietnamese() -> None:
    """N2: an alias bomb's message reads "hơn 200.000 giá trị" in Vietnamese; before, "200,000"."""
    levels = "".join(f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}]\n"
                     for i in range(1, 10))
    with use_language("vi"):
        loaded = load_text("l0: &l0 [x]\n" + levels + "top: *l9\n")
    messages = " ".join(p.message for p in loaded.problems)
    assert "200.000" in messages, messages
    assert "200,000" not in messages, messages


def test_ignored_manifest_limit_shows_the_limit_in_force_in_vietnamese() -> None:
    """N3: a qms.yaml that tries to raise sheet_cells is told the limit in force as "5.000.000"; sizes as
    "1,5 MiB" (Vietnamese decimal comma); before, "5,000,000" and "1.5 MiB"."""
    with use_language("vi"):
        warnings = limits.lower_from_manifest({"sheet_cells": 9_000_000})
        size = limits.human(3 * limits.MiB // 2)
    assert any("5.000.000" in w for w in warnings), warnings
    assert not any("5,000,000" in w for w in warnings), warnings
    assert size == "1,5 MiB"
    with use_language("en"):
        assert limits.human(3 * limits.MiB // 2) == "1.5 MiB"
