import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Mypay } from "../app.js";
import { waitFor } from "../testing/bus.js";
import { adminEmail, adminPassword, startTestMypay } from "../testing/mypay.js";

// The whole of mypay, with one consumer (the query context's member read model) made to fail on one
// member's events by a trigger, as a bug in one consumer would.

let mypay: Mypay;
let staff: string;
const budget = 3;
// Generous: a busy machine delays the relay and the retries, never makes them unnecessary.
const patience = 15_000;

before(async () => {
  mypay = await startTestMypay(
    {},
    { consumerRetry: { attempts: budget, baseMs: 20, maxMs: 100, pollMs: 20 } },
  );
  staff = await login(adminEmail, adminPassword);
});

after(async () => {
  await mypay.close();
});

async function login(email: string, password: string): Promise<string> {
  const res = await mypay.app.inject({ method: "POST", url: "/v1/auth/login", payload: { email, password } });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().accessToken;
}

let members = 0;
async function register(region: string): Promise<string> {
  const email = `member${++members}-${Date.now()}@example.com`;
  const res = await mypay.app.inject({
    method: "POST",
    url: "/v1/memberships",
    payload: {
      name: `Member ${members}`,
      email,
      password: "correct-horse-battery",
      region,
      type: "personal",
    },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().membershipId;
}

const asStaff = (method: "GET" | "POST", url: string) =>
  mypay.app.inject({ method, url, headers: { authorization: `Bearer ${staff}` } });

async function deadLetters() {
  const res = await asStaff("GET", "/v1/admin/dead-letters");
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items as Array<Record<string, unknown>>;
}

const inReadModel = async (id: string) =>
  (await mypay.db.query("SELECT 1 FROM query.member_balances WHERE membership_id = $1", [id])).length > 0;

/** The read model's consumer refuses members of the "Poison" region until fixed; it counts its writes. */
async function breakReadModel() {
  await mypay.db.exec(`
    CREATE TABLE query.writes (membership_id TEXT NOT NULL);
    CREATE FUNCTION query.refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.region = 'Poison' THEN RAISE EXCEPTION 'the read model refuses this member'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER refuse_poison BEFORE INSERT OR UPDATE ON query.member_balances
      FOR EACH ROW EXECUTE FUNCTION query.refuse_poison();`);
}

async function fixReadModel() {
  await mypay.db.exec(`
    CREATE OR REPLACE FUNCTION query.refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO query.writes VALUES (NEW.membership_id);
      RETURN NEW;
    END $$;`);
}

test("item 7: an event one consumer keeps failing on is dead-lettered after its retries; the others flow; a replay handles it once", async () => {
  await breakReadModel();
  const poisoned = await register("Poison");
  const later = await register("Busan");

  await waitFor(async () => (await deadLetters()).some((d) => d.consumer === "query.members"), patience);
  const [letter] = await deadLetters();
  assert.equal(letter?.consumer, "query.members");
  assert.equal(letter?.eventType, "MemberRegistered");
  assert.equal(letter?.attempts, budget);
  assert.equal(letter?.status, "DEAD_LETTERED");
  assert.match(String(letter?.error), /refuses this member/);
  assert.equal(letter?.replayedAt, null);

  // Nothing was held up behind it: the later member is in the read model, the other consumer of the
  // same event (money's wallets) handled it, and the relay published the whole outbox.
  await waitFor(() => inReadModel(later), patience);
  assert.equal(await inReadModel(poisoned), false);
  const wallet = await mypay.db.query("SELECT 1 FROM money.accounts WHERE id = $1", [
    `member_money:${poisoned}`,
  ]);
  assert.equal(wallet.length, 1);
  const unpublished = await mypay.db.query("SELECT 1 FROM membership.outbox WHERE published_at IS NULL");
  assert.equal(unpublished.length, 0);

  await fixReadModel();
  const replay = await asStaff("POST", `/v1/admin/dead-letters/${letter?.deadLetterId}/replay`);
  assert.equal(replay.statusCode, 202, replay.body);
  await waitFor(() => inReadModel(poisoned), patience);
  await waitFor(async () => (await deadLetters())[0]?.status === "HANDLED", patience);
  // A second replay finds the event in the consumer's inbox: no second effect.
  assert.equal(
    (await asStaff("POST", `/v1/admin/dead-letters/${letter?.deadLetterId}/replay`)).statusCode,
    202,
  );
  await waitFor(
    async () =>
      (await mypay.db.query("SELECT 1 FROM query.consumer_failures WHERE next_attempt_at IS NOT NULL"))
        .length === 0,
    patience,
  );
  const writes = await mypay.db.query("SELECT 1 FROM query.writes WHERE membership_id = $1", [poisoned]);
  assert.equal(writes.length, 1);
  const [handled] = await deadLetters();
  assert.equal(handled?.status, "HANDLED");
  assert.equal(typeof handled?.replayedAt, "string");
});

test("item 7: replaying an unknown dead letter is 404, and only staff see dead letters", async () => {
  const unknown = await asStaff("POST", `/v1/admin/dead-letters/dlt_${"0".repeat(32)}/replay`);
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json().code, "NOT_FOUND");
  const email = `customer-${Date.now()}@example.com`;
  const reg = await mypay.app.inject({
    method: "POST",
    url: "/v1/memberships",
    payload: {
      name: "Customer",
      email,
      password: "correct-horse-battery",
      region: "Seoul",
      type: "personal",
    },
  });
  assert.equal(reg.statusCode, 201);
  const token = await login(email, "correct-horse-battery");
  const list = await mypay.app.inject({
    method: "GET",
    url: "/v1/admin/dead-letters",
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(list.statusCode, 403);
});
