"""Tiny baseline-JPEG writer for the simulator's snapshots and MJPEG frames (no imaging library needed).

Every 8x8 block is flat (only its DC coefficient is coded), which is enough for a valid,
decodable JPEG whose picture still changes from frame to frame.
"""

from __future__ import annotations

import struct

# The standard luminance DC Huffman table (ITU T.81, Annex K.3): code lengths per category 0..11.
_DC_BITS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_VALUES = tuple(range(12))
# An AC table holding only end-of-block: one code of length 1.
_AC_BITS = (1,) + (0,) * 15
_AC_VALUES = (0x00,)


def _canonical_codes(bits: tuple[int, ...], values: tuple[int, ...]) -> dict[int, tuple[int, int]]:
    """Symbol -> (code, length) for a Huffman table given as counts per length."""
    codes: dict[int, tuple[int, int]] = {}
    code = 0
    index = 0
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            codes[values[index]] = (code, length)
            code += 1
            index += 1
        code <<= 1
    return codes


_DC_CODES = _canonical_codes(_DC_BITS, _DC_VALUES)
_EOB = _canonical_codes(_AC_BITS, _AC_VALUES)[0]


class _BitWriter:
    def __init__(self) -> None:
        self.out = bytearray()
        self._acc = 0
        self._count = 0

    def write(self, value: int, length: int) -> None:
        for shift in range(length - 1, -1, -1):
            self._acc = (self._acc << 1) | ((value >> shift) & 1)
            self._count += 1
            if self._count == 8:
                self._emit(self._acc)
                self._acc = 0
                self._count = 0

    def _emit(self, byte: int) -> None:
        self.out.append(byte)
        if byte == 0xFF:
            self.out.append(0x00)  # byte stuffing

    def flush(self) -> bytes:
        if self._count:
            self._emit((self._acc << (8 - self._count)) | ((1 << (8 - self._count)) - 1))
            self._acc = 0
            self._count = 0
        return bytes(self.out)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", marker, len(payload) + 2) + payload


def encode_gray_blocks(levels: list[list[int]]) -> bytes:
    """Encode a grayscale image given as rows of 8x8-block brightness levels (0..255)."""
    rows, cols = len(levels), len(levels[0])
    writer = _BitWriter()
    previous = 0
    for row in levels:
        for level in row:
            dc = 8 * (max(0, min(255, level)) - 128)  # quantiser of 1: DC = 8 * (mean - 128)
            diff = dc - previous
            previous = dc
            size = abs(diff).bit_length()
            code, length = _DC_CODES[size]
            writer.write(code, length)
            if size:
                writer.write(diff if diff > 0 else diff + (1 << size) - 1, size)
            writer.write(*_EOB)
    header = b"".join([
        b"\xff\xd8",
        _segment(0xFFDB, b"\x00" + b"\x01" * 64),
        _segment(0xFFC0, struct.pack(">BHHB", 8, rows * 8, cols * 8, 1) + b"\x01\x11\x00"),
        _segment(0xFFC4, b"\x00" + bytes(_DC_BITS) + bytes(_DC_VALUES)),
        _segment(0xFFC4, b"\x10" + bytes(_AC_BITS) + bytes(_AC_VALUES)),
        _segment(0xFFDA, b"\x01\x01\x00\x00\x3f\x00"),
    ])
    return header + writer.flush() + b"\xff\xd9"


def camera_frame(monitor_id: int, frame: int, width_blocks: int = 20, height_blocks: int = 15) -> bytes:
    """A recognisable frame: a monitor-specific background with a bright bar that moves each frame."""
    background = 40 + (monitor_id * 37) % 120
    bar = frame % width_blocks
    levels = [[230 if col == bar else background + (row * 4) for col in range(width_blocks)]
              for row in range(height_blocks)]
    return encode_gray_blocks(levels)
