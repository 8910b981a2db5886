import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";

// What a new reader follows: every link of the README and the docs leads to a file in this repository.
const root = resolve(new URL("..", import.meta.url).pathname);
const documents = [
  "README.md",
  "DEVELOPERS.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

/** Markdown links and inline-code paths that point at files (`../x.md`, `docs/y.md`). */
function targets(text: string): string[] {
  const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
  const quoted = [...text.matchAll(/`([^`\s]*\.md)`/g)].map((m) => m[1]!);
  return [...links, ...quoted].filter((t) => !/^[a-z]+:/.test(t)).map((t) => t.split("#")[0]!);
}

test("item 19: every relative link in the README and docs/ resolves to a file in the repository", () => {
  assert.ok(documents.includes("docs/architecture.md"));
  const readme = readFileSync(join(root, "README.md"), "utf8");
  assert.ok(targets(readme).includes("docs/architecture.md"), "the README links the architecture notes");
  for (const doc of documents) {
    for (const target of targets(readFileSync(join(root, doc), "utf8"))) {
      if (target === "") continue;
      const path = resolve(dirname(join(root, doc)), target);
      assert.ok(!relative(root, path).startsWith(".."), `${doc} points outside the repository: ${target}`);
      assert.ok(existsSync(path), `${doc} links ${target}, which does not exist`);
    }
  }
});

test("item 19: the README tells what is built and what is coming, and promises nothing else", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const start = readme.indexOf("Coming, in later issues");
  assert.ok(start > 0, "the README has a list of what is coming");
  assert.match(readme, /the \*\*web app\*\*, served by the gateway/, "the web app is listed as built");
  const coming = readme.slice(start, readme.indexOf("\n\n", start)).replace(/\s+/g, " ");
  for (const built of [
    "remittance",
    "payment",
    "settlement",
    "group commit",
    "distributed",
    "gateway",
    "web app",
    "wallet",
  ])
    assert.doesNotMatch(coming, new RegExp(built), `"${built}" is built, not coming`);
});
