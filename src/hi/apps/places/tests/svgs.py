"""Drawings for the plan tests: a plain floor plan and one that tries every trick the sanitizer must stop."""

from __future__ import annotations

import io


def floor_svg(width: int = 800, height: int = 500) -> bytes:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">'
            f'<rect x="10" y="10" width="{width - 20}" height="{height - 20}" fill="none" stroke="#333" stroke-width="4"/>'
            f'<line x1="{width // 2}" y1="10" x2="{width // 2}" y2="{height - 10}" stroke="#333" stroke-width="3"/>'
            f'<text x="40" y="60" font-size="28">Kitchen</text><text x="{width // 2 + 30}" y="60" font-size="28">Hall</text>'
            "</svg>").encode()


MALICIOUS_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 400 300"
     onload="window.__pwned = 'onload'">
  <script>window.__pwned = 'script';</script>
  <style>@import url(http://203.0.113.9/evil.css); rect { fill: url(http://203.0.113.9/paint.svg#p) }</style>
  <a href="javascript:window.__pwned='link'" xlink:href="javascript:window.__pwned='xlink'">
    <rect id="room" x="10" y="10" width="380" height="280" onclick="window.__pwned='click'"
          style="fill:#eee;background-image:url(http://203.0.113.9/x.png)"/>
  </a>
  <image href="http://203.0.113.9/track.png" width="10" height="10"/>
  <use xlink:href="http://203.0.113.9/sprite.svg#icon"/>
  <use href="#room"/>
  <foreignObject width="100" height="100"><div xmlns="http://www.w3.org/1999/xhtml">
    <img src="x" onerror="window.__pwned='foreign'"/></div></foreignObject>
  <text x="20" y="40">Living room</text>
</svg>"""


def png(width: int = 64, height: int = 40) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (240, 240, 240)).save(out, format="PNG")
    return out.getvalue()


def jpeg(width: int = 64, height: int = 40) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 220, 240)).save(out, format="JPEG")
    return out.getvalue()
