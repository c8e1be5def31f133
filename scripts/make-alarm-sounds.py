#!/usr/bin/env python3
"""Write the alert sounds vendored with the web app (src/hi/apps/web/static/web/alarm/*.wav).

Synthesised here (sine tones with short fades, 8 kHz 16-bit mono) so the project owns them outright:
info is one soft tone, warning two, critical three alternating high tones.
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from pathlib import Path

RATE = 8000
OUT = Path(__file__).resolve().parent.parent / "src/hi/apps/web/static/web/alarm"


def tone(freq: float, seconds: float, volume: float) -> list[int]:
    count = int(RATE * seconds)
    fade = int(RATE * 0.01)
    samples = []
    for i in range(count):
        envelope = min(1.0, i / fade, (count - i) / fade)
        samples.append(int(32767 * volume * envelope * math.sin(2 * math.pi * freq * i / RATE)))
    return samples


def silence(seconds: float) -> list[int]:
    return [0] * int(RATE * seconds)


SOUNDS = {
    "info": tone(660, 0.25, 0.35),
    "warning": tone(880, 0.18, 0.5) + silence(0.08) + tone(880, 0.18, 0.5),
    "critical": (tone(1320, 0.15, 0.7) + tone(990, 0.15, 0.7)) * 3,
}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, samples in SOUNDS.items():
        with wave.open(str(OUT / f"{name}.wav"), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
        print(OUT / f"{name}.wav")
    return 0


if __name__ == "__main__":
    sys.exit(main())
