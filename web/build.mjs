// Builds web/dist: the app bundle and its CSS with content hashes (cached for a year), the
// service worker (which precaches exactly those files), the manifest, icons and the neutral
// quick-exit page, plus the place search (a lazily loaded chunk and the gazetteer built by
// tools/gazetteer.mjs) and gzip copies of the assets. Writes dist/size.json with raw and gzip
// sizes of first-load JS, CSS, the worker and what the place search fetches.
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { buildGazetteer, readSource } from "./tools/gazetteer.mjs";

// Built beside dist and swapped in at the end, so a running development server (which reads
// dist from disk) never sees half a build.
const final = new URL("./dist", import.meta.url).pathname;
const dist = new URL("./dist.next/", import.meta.url).pathname;
rmSync(dist, { recursive: true, force: true });
mkdirSync(`${dist}assets`, { recursive: true });

const hash = (b) => createHash("sha256").update(b).digest("hex").slice(0, 12);
const common = { bundle: true, minify: true, format: "esm", target: ["es2020", "safari15"], write: false, legalComments: "none" };

// The place search's gazetteer: an asset of its own, fetched only when it is opened.
const { text: placesText, zips } = buildGazetteer(readSource());
const places = Buffer.from(placesText);
const placesName = `places-${hash(places)}.txt`;
writeFileSync(`${dist}assets/${placesName}`, places);

// Split: what the first screen needs is the entry and the chunks it imports statically; a
// dynamic import (the place search) becomes a chunk fetched when first used.
const app = await esbuild.build({
  ...common,
  entryPoints: { app: "src/main.tsx" },
  splitting: true,
  outdir: `${dist}assets`,
  entryNames: "[name]-[hash]",
  chunkNames: "chunk-[hash]",
  metafile: true,
  jsx: "automatic",
  jsxImportSource: "preact",
  define: { PLACES_URL: JSON.stringify(`/app/assets/${placesName}`) },
});
const outName = (path) => path.slice(path.lastIndexOf("/") + 1);
for (const f of app.outputFiles) writeFileSync(`${dist}assets/${outName(f.path)}`, f.contents);
const outputs = app.metafile.outputs;
const entryKey = Object.keys(outputs).find((k) => outputs[k].entryPoint === "src/main.tsx");
const jsName = outName(entryKey);
const firstLoad = new Set([entryKey]);
for (const k of firstLoad) for (const i of outputs[k].imports) if (i.kind === "import-statement") firstLoad.add(i.path);
const fileOf = (k) => app.outputFiles.find((f) => f.path.endsWith(`/${outName(k)}`)).contents;
const js = Buffer.concat([...firstLoad].map((k) => Buffer.from(fileOf(k))));
const lazyJs = Object.keys(outputs).filter((k) => !firstLoad.has(k) && k.endsWith(".js"));

const cssOut = await esbuild.build({ ...common, entryPoints: ["src/style.css"], format: undefined });
const css = cssOut.outputFiles[0].contents;
const cssName = `app-${hash(css)}.css`;
writeFileSync(`${dist}assets/${cssName}`, css);

const html = readFileSync("index.html", "utf8").replace("%JS%", jsName).replace("%CSS%", cssName);
writeFileSync(`${dist}index.html`, html);
cpSync("public", dist, { recursive: true });

const version = hash(Buffer.concat([...app.outputFiles.map((f) => Buffer.from(f.contents)), Buffer.from(css), Buffer.from(html)]));
const shell = [
  "/app/",
  ...[...firstLoad].map((k) => `/app/assets/${outName(k)}`),
  `/app/assets/${cssName}`,
  "/app/manifest.webmanifest",
  "/app/icons/icon-192.png",
  "/app/exit.html",
  "/app/exit.css",
];
// Fetched on first use and then kept, across app updates too, for use without signal.
const lazy = [...lazyJs.map((k) => `/app/assets/${outName(k)}`), `/app/assets/${placesName}`];
const sw = await esbuild.build({
  ...common,
  entryPoints: ["src/sw.ts"],
  format: "iife",
  define: { SHELL: JSON.stringify(shell), LAZY: JSON.stringify(lazy), VERSION: JSON.stringify(version) },
});
writeFileSync(`${dist}sw.js`, sw.outputFiles[0].contents);

// Precompressed copies the server sends to browsers that accept gzip (api/src/app).
for (const name of readdirSync(`${dist}assets`)) {
  if (/\.(js|css|txt)$/.test(name)) writeFileSync(`${dist}assets/${name}.gz`, gzipSync(readFileSync(`${dist}assets/${name}`), { level: 9 }));
}

rmSync(`${final}.old`, { recursive: true, force: true });
if (existsSync(final)) renameSync(final, `${final}.old`);
renameSync(dist, final);
rmSync(`${final}.old`, { recursive: true, force: true });

const size = (b) => ({ bytes: b.length, gzip: gzipSync(b, { level: 9 }).length });
const report = {
  js: size(js),
  css: size(css),
  html: size(Buffer.from(html)),
  sw: size(sw.outputFiles[0].contents),
  lazy_js: size(Buffer.concat(lazyJs.map((k) => Buffer.from(fileOf(k))))),
  places: { ...size(places), zip_codes: zips },
};
writeFileSync(`${final}/size.json`, JSON.stringify(report, null, 2) + "\n");
console.log(
  `web/dist: first-load JS ${report.js.bytes} B (${report.js.gzip} B gzip), CSS ${report.css.bytes} B (${report.css.gzip} B gzip), ` +
    `service worker ${report.sw.gzip} B gzip; on first place search: ${report.lazy_js.gzip} B gzip JS + gazetteer ${report.places.gzip} B gzip (${zips} ZIP codes)`,
);
