// Fails when the app's modules import each other in a circle (web/src), counting type-only
// and dynamic imports too: a circle makes the order modules run in matter, and hides which
// module is the lower one. Run by `npm run typecheck`.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const src = new URL("../src/", import.meta.url).pathname;
const files = readdirSync(src, { recursive: true })
  .map(String)
  .filter((f) => /\.tsx?$/.test(f))
  .map((f) => join(src, f));

const edges = new Map();
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const targets = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm)) {
    const base = join(dirname(file), m[1]);
    const hit = [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts")].find((p) => existsSync(p) && files.includes(p));
    if (hit) targets.push(hit);
  }
  edges.set(file, targets);
}

// Depth-first search; a grey node met again closes a circle.
const state = new Map();
const circles = [];
function visit(f, path) {
  state.set(f, "grey");
  for (const t of edges.get(f)) {
    if (state.get(t) === "grey") circles.push([...path.slice(path.indexOf(t)), t]);
    else if (!state.has(t)) visit(t, [...path, t]);
  }
  state.set(f, "black");
}
for (const f of files) if (!state.has(f)) visit(f, [f]);

if (circles.length) {
  for (const c of circles) console.error(`import circle: ${c.map((f) => relative(src, f)).join(" → ")}`);
  process.exit(1);
}
console.log(`web/src: ${files.length} modules, no import circles`);
