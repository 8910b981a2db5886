// Regenerates the typed public client's contract (packages/client): the OpenAPI document the server
// builds, sorted and pretty, in openapi.json, and its TypeScript types in src/schema.ts. Run it (`npm run
// client`, which builds dist/ first) after changing a route; src/client.test.ts fails until it is run.
// Like every script, it runs the compiled dist/, never src/.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { clientFiles } from "../dist/client-files.js";
import { openApiDocument } from "../dist/openapi-document.js";

const packageDir = fileURLToPath(new URL("../packages/client/", import.meta.url));
const files = await clientFiles(await openApiDocument());
for (const [name, text] of Object.entries(files)) {
  const path = join(packageDir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.error(`wrote packages/client/${name}`);
}
