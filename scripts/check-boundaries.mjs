// The architecture's dependency rules, checked on every build (STYLE.md rule 1):
// - a context imports another context only through its api.ts (or index.ts);
// - a context's domain imports nothing but the kernel and its own domain files (no framework, no I/O);
// - the kernel imports no platform, context or I/O code; the platform imports no context;
// - nothing of mypay imports the sandbox bank, which stands outside mypay's trust boundary.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const root = resolve("src");
const problems = [];

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) check(path);
  }
}

function imports(source) {
  const out = [];
  const re = /(?:^|\s)(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)/gm;
  for (let m = re.exec(source); m; m = re.exec(source)) out.push(m[1] ?? m[2]);
  return out;
}

function check(file) {
  const rel = relative(root, file).split(sep);
  const source = readFileSync(file, "utf8");
  for (const spec of imports(source)) {
    const target = spec.startsWith(".") ? relative(root, resolve(dirname(file), spec)).split(sep) : undefined;
    const say = (why) => problems.push(`${relative(process.cwd(), file)}: imports ${spec} (${why})`);
    const isTest = /\.test\.ts$/.test(file) || rel[0] === "testing";
    if (target?.[0] === "sandbox-bank" && rel[0] !== "sandbox-bank" && !isTest && rel[0] !== "main.ts") {
      say("the sandbox bank is an external bank; talk to it over HTTP through the bank port");
    }
    if (
      rel[0] === "kernel" &&
      (target === undefined ? spec !== "uuid" && !spec.startsWith("node:crypto") : target[0] !== "kernel")
    ) {
      say("the kernel has no I/O and depends on nothing of ours");
    }
    if (rel[0] === "platform" && target?.[0] === "contexts") say("the platform must not know the contexts");
    if (rel[0] !== "contexts") continue;
    const own = rel[1];
    if (target?.[0] === "contexts" && target[1] !== own) {
      const base = (target[2] ?? "").replace(/\.(ts|js|mjs)$/, "");
      if (target.length !== 3 || (base !== "api" && base !== "index"))
        say(`use contexts/${target[1]}/api.ts`);
    }
    if (/^domain(\.|-)/.test(rel[rel.length - 1] ?? "") && !/\.test\.ts$/.test(file)) {
      const allowed =
        target !== undefined &&
        (target[0] === "kernel" ||
          (target[0] === "contexts" && target[1] === own && /^domain/.test(target[target.length - 1] ?? "")));
      if (!allowed) say("a domain file is plain TypeScript: the kernel and its own domain only");
    }
  }
}

walk(root);
if (problems.length > 0) {
  console.error(`boundary check failed:\n${problems.join("\n")}`);
  process.exit(1);
}
console.log("boundary check: ok");
