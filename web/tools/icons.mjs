// Generates the app's PNG icons (committed in public/icons): a white "F" on Fieldline blue.
// No image library: a minimal RGBA PNG encoder over node:zlib. Run: node tools/icons.mjs
import { deflateSync } from "node:zlib";
import { writeFileSync } from "node:fs";

const CRC = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x / size, y / size);
      raw.set([r, g, b, a], y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
const BLUE = [29, 59, 83, 255];
const WHITE = [255, 255, 255, 255];
const CLEAR = [0, 0, 0, 0];
// "F" in a unit square scaled by `s` around the centre.
function isF(x, y, s) {
  const u = (x - 0.5) / s + 0.5, v = (y - 0.5) / s + 0.5;
  const stem = u >= 0.3 && u <= 0.44 && v >= 0.2 && v <= 0.8;
  const top = u >= 0.3 && u <= 0.72 && v >= 0.2 && v <= 0.33;
  const mid = u >= 0.3 && u <= 0.64 && v >= 0.45 && v <= 0.57;
  return stem || top || mid;
}
function rounded(x, y, r) {
  const dx = Math.max(r - x, 0, x - (1 - r)), dy = Math.max(r - y, 0, y - (1 - r));
  return dx * dx + dy * dy <= r * r;
}
const icon = (x, y) => (!rounded(x, y, 0.18) ? CLEAR : isF(x, y, 1) ? WHITE : BLUE);
const maskable = (x, y) => (isF(x, y, 0.7) ? WHITE : BLUE);
const badge = (x, y) => (isF(x, y, 1.1) ? WHITE : CLEAR);
const out = new URL("../public/icons/", import.meta.url);
writeFileSync(new URL("icon-192.png", out), png(192, icon));
writeFileSync(new URL("icon-512.png", out), png(512, icon));
writeFileSync(new URL("maskable-512.png", out), png(512, maskable));
writeFileSync(new URL("apple-touch-icon.png", out), png(180, maskable));
writeFileSync(new URL("badge-96.png", out), png(96, badge));
