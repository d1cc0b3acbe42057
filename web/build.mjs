// Builds web/dist: the app bundle and its CSS with content hashes (cached for a year), the
// service worker (which precaches exactly those files), the manifest, icons and the neutral
// quick-exit page. Writes dist/size.json with raw and gzip sizes of first-load JS and CSS.
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

// Built beside dist and swapped in at the end, so a running development server (which reads
// dist from disk) never sees half a build.
const final = new URL("./dist", import.meta.url).pathname;
const dist = new URL("./dist.next/", import.meta.url).pathname;
rmSync(dist, { recursive: true, force: true });
mkdirSync(`${dist}assets`, { recursive: true });

const hash = (b) => createHash("sha256").update(b).digest("hex").slice(0, 12);
const common = { bundle: true, minify: true, format: "esm", target: ["es2020", "safari15"], write: false, legalComments: "none" };

const app = await esbuild.build({ ...common, entryPoints: ["src/main.tsx"], jsx: "automatic", jsxImportSource: "preact" });
const js = app.outputFiles[0].contents;
const jsName = `app-${hash(js)}.js`;
writeFileSync(`${dist}assets/${jsName}`, js);

const cssOut = await esbuild.build({ ...common, entryPoints: ["src/style.css"], format: undefined });
const css = cssOut.outputFiles[0].contents;
const cssName = `app-${hash(css)}.css`;
writeFileSync(`${dist}assets/${cssName}`, css);

const html = readFileSync("index.html", "utf8").replace("%JS%", jsName).replace("%CSS%", cssName);
writeFileSync(`${dist}index.html`, html);
cpSync("public", dist, { recursive: true });

const version = hash(Buffer.concat([Buffer.from(js), Buffer.from(css), Buffer.from(html)]));
const shell = ["/app/", `/app/assets/${jsName}`, `/app/assets/${cssName}`, "/app/manifest.webmanifest", "/app/icons/icon-192.png", "/app/exit.html", "/app/exit.css"];
const sw = await esbuild.build({
  ...common,
  entryPoints: ["src/sw.ts"],
  format: "iife",
  define: { SHELL: JSON.stringify(shell), VERSION: JSON.stringify(version) },
});
writeFileSync(`${dist}sw.js`, sw.outputFiles[0].contents);

rmSync(`${final}.old`, { recursive: true, force: true });
if (existsSync(final)) renameSync(final, `${final}.old`);
renameSync(dist, final);
rmSync(`${final}.old`, { recursive: true, force: true });

const size = (b) => ({ bytes: b.length, gzip: gzipSync(b, { level: 9 }).length });
const report = { js: size(js), css: size(css), html: size(Buffer.from(html)), sw: size(sw.outputFiles[0].contents) };
writeFileSync(`${final}/size.json`, JSON.stringify(report, null, 2) + "\n");
console.log(`web/dist: first-load JS ${report.js.bytes} B (${report.js.gzip} B gzip), CSS ${report.css.bytes} B (${report.css.gzip} B gzip), service worker ${report.sw.gzip} B gzip`);
