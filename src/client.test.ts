import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { clientFiles } from "./client-files.js";
import { openApiDocument } from "./openapi-document.js";

// The typed client (packages/client) is generated from the server's OpenAPI document and committed: a
// route changed without regenerating it fails here, before a client compiled against stale types does.
const packageDir = new URL("../packages/client/", import.meta.url);

/** Where two texts part, as "line N: committed … / now …", or undefined when they are equal. */
function firstDifference(committed: string, now: string): string | undefined {
  if (committed === now) return undefined;
  const [a, b] = [committed.split("\n"), now.split("\n")];
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(a[at])}, now ${JSON.stringify(b[at])}`;
}

test("packages/client's openapi.json and schema.ts are what the server's OpenAPI document generates", async () => {
  const files = await clientFiles(await openApiDocument());
  for (const [name, now] of Object.entries(files)) {
    let committed = "";
    try {
      committed = readFileSync(new URL(name, packageDir), "utf8");
    } catch {}
    const difference = firstDifference(committed, now);
    assert.equal(
      difference,
      undefined,
      `packages/client/${name} is out of date with the API (${difference}): run \`npm run client\` and commit the result`,
    );
  }
});
