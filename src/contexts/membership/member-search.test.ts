import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, test } from "node:test";
import { admin, member, signIn, startMembershipApp } from "./test-app.js";

// Staff's member list (GET /v1/admin/members): a search by part of the email or name, or by id;
// every member, withdrawn ones too, newest first, a page at a time.

const t = await startMembershipApp();
after(() => t.close());
const staff = await signIn(t.app, admin.email, admin.password);
const staffAuth = { authorization: `Bearer ${staff.accessToken}` };

const search = (query: string, headers: Record<string, string> = staffAuth) =>
  t.app.inject({ method: "GET", url: `/v1/admin/members${query}`, headers });
const ids = (res: { json(): { items: Array<{ membershipId: string }> } }) =>
  res.json().items.map((m) => m.membershipId);

test("staff find a member by part of the email, by part of the name (any case) and by id", async () => {
  const tag = randomBytes(4).toString("hex");
  const jiwoo = await member(t.app, { name: `Kim Jiwoo ${tag}`, email: `jiwoo.${tag}@Example.com` });
  const other = await member(t.app, { name: `Park Minji ${tag}` });

  const byEmail = await search(`?query=JIWOO.${tag}@example`);
  assert.equal(byEmail.statusCode, 200, byEmail.body);
  assert.deepEqual(ids(byEmail), [jiwoo.membershipId]);
  const item = byEmail.json().items[0];
  const byIdRead = await t.app.inject({
    method: "GET",
    url: `/v1/memberships/${jiwoo.membershipId}`,
    headers: staffAuth,
  });
  assert.deepEqual(item, byIdRead.json(), "the same item as GET /v1/memberships/{id}");
  assert.equal(byEmail.json().nextCursor, null);

  assert.deepEqual(ids(await search(`?query=${encodeURIComponent(`minji ${tag}`)}`)), [other.membershipId]);
  assert.deepEqual(
    ids(await search(`?query=${tag}`)),
    [other.membershipId, jiwoo.membershipId],
    "newest first",
  );
  assert.deepEqual(ids(await search(`?query=${jiwoo.membershipId}`)), [jiwoo.membershipId]);
  assert.deepEqual(ids(await search(`?query=${tag}%25`)), [], "% is a plain character, not a wildcard");
  assert.deepEqual(ids(await search("?query=mem_0190f0c4d6a87c3a9d1e2b3c4d5e6f70")), []);
});

test("withdrawn members are listed, their status says so", async () => {
  const tag = randomBytes(4).toString("hex");
  const leaving = await member(t.app, { name: `Leaving ${tag}` });
  const gone = await t.app.inject({
    method: "DELETE",
    url: `/v1/memberships/${leaving.membershipId}`,
    headers: leaving.auth,
  });
  assert.equal(gone.statusCode, 204);
  const found = await search(`?query=${tag}`);
  assert.deepEqual(ids(found), [leaving.membershipId]);
  assert.equal(found.json().items[0].status, "WITHDRAWN");
});

test("limit=1 pages through distinct members, newest first, to a null cursor", async () => {
  const tag = randomBytes(4).toString("hex");
  const made = [];
  for (let i = 0; i < 3; i++) made.push((await member(t.app, { name: `Pager ${tag} ${i}` })).membershipId);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await search(`?query=${tag}&limit=1${cursor ? `&cursor=${cursor}` : ""}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().items.length, 1);
    seen.push(...ids(res));
    cursor = res.json().nextCursor;
  } while (cursor !== null && seen.length < 10);
  assert.deepEqual(seen, [...made].reverse());

  const [staffId] = ids(await search(`?query=${admin.email}`));
  const everyone = ids(await search("?limit=100"));
  assert.ok(staffId && everyone.includes(staffId), "no query: every member, staff included");
  assert.deepEqual(everyone.slice(0, 3), [...made].reverse());
});

test("only staff: a customer and a merchant get 403, no token 401; a bad limit, cursor or query 400", async () => {
  const customer = await member(t.app);
  const merchant = await member(t.app, { type: "merchant" });
  for (const who of [customer, merchant]) {
    const res = await search("", who.auth);
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().code, "FORBIDDEN");
  }
  const anonymous = await t.app.inject({ method: "GET", url: "/v1/admin/members" });
  assert.equal(anonymous.statusCode, 401);
  for (const query of [
    "?limit=0",
    "?limit=101",
    "?limit=ten",
    "?cursor=nonsense",
    "?query=",
    `?query=${"x".repeat(201)}`,
    "?query=%20%20",
    "?sort=name",
  ]) {
    const res = await search(query);
    assert.equal(res.statusCode, 400, query);
    assert.equal(res.json().code, "VALIDATION_FAILED", query);
  }
  assert.equal((await search(`?query=${"x".repeat(200)}`)).statusCode, 200);
});
