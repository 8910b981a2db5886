import assert from "node:assert/strict";
import { test } from "node:test";
import { hashPassword, verifyPassword } from "./passwords.js";

test("a hash names scrypt and its cost, and verifies only its own password", async () => {
  const hash = await hashPassword("correct horse");
  assert.match(hash, /^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  assert.equal(await verifyPassword("correct horse", hash), true);
  assert.equal(await verifyPassword("correct horsE", hash), false);
  assert.equal(await verifyPassword("", hash), false);
});

test("every hash has its own salt", async () => {
  const [a, b] = await Promise.all([hashPassword("same password"), hashPassword("same password")]);
  assert.notEqual(a, b);
  assert.equal(await verifyPassword("same password", b), true);
});

test("the same text in composed or decomposed Unicode is the same password", async () => {
  const hash = await hashPassword("비밀번호-café");
  assert.equal(await verifyPassword("비밀번호-cafe\u0301", hash), true);
});

test("no hash, or a malformed one, never verifies", async () => {
  assert.equal(await verifyPassword("anything", undefined), false);
  for (const bad of [
    "",
    "scrypt$",
    "bcrypt$16384$8$1$c2FsdA$aGFzaA",
    "scrypt$1000$8$1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
    "scrypt$1099511627776$8$1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
  ]) {
    assert.equal(await verifyPassword("anything", bad), false, bad);
  }
});
