import assert from "node:assert/strict";
import { after, test } from "node:test";
import { admin, member, newMember, signIn, startMembershipApp } from "./test-app.js";

// A member's mobile number (optional): others find them by it to send money, as by email.

const t = await startMembershipApp();
after(() => t.close());
const staff = await signIn(t.app, admin.email, admin.password);
const staffAuth = { authorization: `Bearer ${staff.accessToken}` };

type Headers = Record<string, string>;
let next = 0;
/** A fresh mobile number's digits. */
const newPhone = () =>
  `010${String(process.pid % 10_000).padStart(4, "0")}${String(++next).padStart(4, "0")}`;
const dashed = (p: string) => `${p.slice(0, 3)}-${p.slice(3, 7)}-${p.slice(7)}`;
const byPhone = (phone: string, headers: Headers) =>
  t.app.inject({ method: "GET", url: `/v1/memberships/lookup?phone=${encodeURIComponent(phone)}`, headers });
const me = async (headers: Headers) =>
  (await t.app.inject({ method: "GET", url: "/v1/memberships/me", headers })).json();
const patch = (id: string, payload: Record<string, unknown>, headers: Headers) =>
  t.app.inject({ method: "PATCH", url: `/v1/memberships/${id}`, payload, headers });

test("a number given at sign-up, however written, is kept as its digits; others find the member by it, masked", async () => {
  const phone = newPhone();
  const payee = await member(t.app, { name: "김민지", phone: `+82 ${dashed(phone).slice(1)}` });
  assert.equal((await me(payee.auth)).phone, phone);
  const caller = await member(t.app);
  assert.equal((await me(caller.auth)).phone, null, "a member who gave none has none");
  for (const typed of [phone, dashed(phone), `${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`]) {
    const res = await byPhone(typed, caller.auth);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { membershipId: payee.membershipId, maskedName: "김*지" });
  }
  const unknown = await byPhone(newPhone(), caller.auth);
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json().code, "NOT_FOUND");
  assert.doesNotMatch(unknown.body, /010/, "the answer does not echo the number");
});

test("a number another active member holds is 409 PHONE_TAKEN, at sign-up and on a change, and nothing changes", async () => {
  const phone = newPhone();
  await member(t.app, { phone });
  const second = newMember({ phone: dashed(phone) });
  const taken = await t.app.inject({ method: "POST", url: "/v1/memberships", payload: second });
  assert.equal(taken.statusCode, 409);
  assert.equal(taken.json().code, "PHONE_TAKEN");
  const login = await t.app.inject({
    method: "POST",
    url: "/v1/auth/login",
    payload: { email: second.email, password: second.password },
  });
  assert.equal(login.statusCode, 401, "no member was created");

  const other = await member(t.app, { name: "Other" });
  const change = await patch(other.membershipId, { phone, name: "Renamed" }, other.auth);
  assert.equal(change.statusCode, 409);
  assert.equal(change.json().code, "PHONE_TAKEN");
  const after = await me(other.auth);
  assert.deepEqual([after.phone, after.name], [null, "Other"], "the whole change was refused");
});

test("a member changes or removes their number; the old one finds nobody", async () => {
  const [first, second] = [newPhone(), newPhone()];
  const m = await member(t.app, { phone: first });
  const caller = await member(t.app);
  const changed = await patch(m.membershipId, { phone: dashed(second) }, m.auth);
  assert.equal(changed.statusCode, 200, changed.body);
  assert.equal(changed.json().phone, second);
  assert.equal((await byPhone(first, caller.auth)).statusCode, 404);
  assert.equal((await byPhone(second, caller.auth)).json().membershipId, m.membershipId);
  const renamed = await patch(m.membershipId, { name: "Still numbered" }, m.auth);
  assert.equal(renamed.json().phone, second, "a change that names no number keeps it");
  const removed = await patch(m.membershipId, { phone: null }, m.auth);
  assert.equal(removed.json().phone, null);
  assert.equal((await byPhone(second, caller.auth)).statusCode, 404);
});

test("a withdrawn member's number finds nobody, and a new member may take it", async () => {
  const phone = newPhone();
  const leaving = await member(t.app, { phone });
  const caller = await member(t.app);
  const gone = await t.app.inject({
    method: "DELETE",
    url: `/v1/memberships/${leaving.membershipId}`,
    headers: leaving.auth,
  });
  assert.equal(gone.statusCode, 204);
  assert.equal((await byPhone(phone, caller.auth)).statusCode, 404);
  const heir = await member(t.app, { phone: dashed(phone) });
  assert.equal((await byPhone(phone, caller.auth)).json().membershipId, heir.membershipId);
});

test("what is not a mobile number, or a lookup by both or neither, is 400 VALIDATION_FAILED and changes nothing", async () => {
  const caller = await member(t.app);
  for (const phone of ["02-123-4567", "010-123-4567", "12345678901", "010-1234-567a", "0".repeat(31)]) {
    const body = newMember({ phone });
    const res = await t.app.inject({ method: "POST", url: "/v1/memberships", payload: body });
    assert.equal(res.statusCode, 400, phone);
    assert.equal(res.json().code, "VALIDATION_FAILED", phone);
    const change = await patch(caller.membershipId, { phone }, caller.auth);
    assert.equal(change.json().code, "VALIDATION_FAILED", phone);
    const lookup = await byPhone(phone, caller.auth);
    assert.equal(lookup.json().code, "VALIDATION_FAILED", phone);
  }
  assert.equal((await me(caller.auth)).phone, null);
  for (const query of ["", `?email=${encodeURIComponent(caller.email)}&phone=${newPhone()}`]) {
    const res = await t.app.inject({
      method: "GET",
      url: `/v1/memberships/lookup${query}`,
      headers: caller.auth,
    });
    assert.equal(res.statusCode, 400, query);
    assert.equal(res.json().code, "VALIDATION_FAILED", query);
  }
});

test("lookups by number and by email count toward one limit: the 11th within a minute is 429", async () => {
  const prober = await member(t.app);
  for (let i = 0; i < 10; i += 1) {
    const res =
      i % 2 === 0
        ? await byPhone(newPhone(), prober.auth)
        : await t.app.inject({
            method: "GET",
            url: `/v1/memberships/lookup?email=${encodeURIComponent(newMember().email)}`,
            headers: prober.auth,
          });
    assert.equal(res.statusCode, 404);
  }
  const limited = await byPhone(newPhone(), prober.auth);
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.json().code, "RATE_LIMITED");
  assert.ok(Number(limited.headers["retry-after"]) > 0);
});

test("staff find a member by the whole number, however written", async () => {
  const phone = newPhone();
  const m = await member(t.app, { phone });
  const res = await t.app.inject({
    method: "GET",
    url: `/v1/admin/members?query=${encodeURIComponent(dashed(phone))}`,
    headers: staffAuth,
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(
    res.json().items.map((i: { membershipId: string; phone: string }) => [i.membershipId, i.phone]),
    [[m.membershipId, phone]],
  );
});
