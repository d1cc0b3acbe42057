// Prints web/src/api-types.ts: the TypeScript types of the server's OpenAPI document, read as
// JSON from the file named in the first argument (or standard input).
//   target/release/fieldline openapi | node web/tools/api-types/gen.mjs > web/src/api-types.ts
// tests/tests/web.rs runs this on the document the server builds and fails when the checked-in
// file differs, so a server change that breaks the app fails the suite (and `npm run typecheck`).
import { readFileSync } from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";

async function stdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}
const doc = JSON.parse(process.argv[2] ? readFileSync(process.argv[2], "utf8") : await stdin());
const ast = await openapiTS(doc, { alphabetize: false, exportType: true });
const { version } = JSON.parse(readFileSync(new URL("./node_modules/openapi-typescript/package.json", import.meta.url), "utf8"));
process.stdout.write(
  `// Generated from the server's OpenAPI document (/v1/openapi.json) by openapi-typescript ${version}.\n` +
    "// Do not edit: regenerate with `FIELDLINE_UPDATE_API_TYPES=1 scripts/test -- --test suite web::the_apps_api_types`\n" +
    "// or, with a built server, `fieldline openapi | node web/tools/api-types/gen.mjs > web/src/api-types.ts`.\n\n" +
    astToString(ast),
);
