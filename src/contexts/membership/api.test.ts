import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { newId } from "../../kernel/ids.js";
import { startCountedWorld } from "../../testing/statements.js";
import { call, type Member, newFranchise, newMember, type World } from "../../testing/world.js";
import { createMembershipApi } from "./api.js";

// What other contexts read of membership per request (a remittance's receiver, a payment's
// franchise): lookups that arrive together share one statement, and each gets its own answer.

let world: World & Awaited<ReturnType<typeof startCountedWorld>>;
let members: Member[];
before(async () => {
  world = await startCountedWorld();
  members = [];
  for (let i = 0; i < 4; i++) members.push(await newMember(world));
});
after(() => world.close());

test("members looked up together are read in one statement, each answered as itself", async () => {
  const api = createMembershipApi(world.counter.db);
  const unknown = newId("membership");
  const gone = members[3]!;
  assert.equal(
    (await call(world, gone.token, "DELETE", `/v1/memberships/${gone.membershipId}`)).statusCode,
    204,
  );
  const ids = [...members.map((m) => m.membershipId), unknown, members[0]!.membershipId, "not-an-id"];
  const { result, count } = await world.counter.measure(() =>
    Promise.all(ids.map((id) => api.getMember(id))),
  );
  assert.equal(count.statements, 1, count.log.join("\n"));
  assert.deepEqual(
    result.map((m) => m?.membershipId),
    [...members.map((m) => m.membershipId), undefined, members[0]!.membershipId, undefined],
  );
  assert.equal(result[3]?.status, "WITHDRAWN", "withdrawn members are found, as such");
});

test("franchises looked up together are read in one statement, with their settlement account", async () => {
  const api = createMembershipApi(world.counter.db);
  const shops = [await newFranchise(world), await newFranchise(world)];
  const { result, count } = await world.counter.measure(() =>
    Promise.all([...shops.map((f) => api.getFranchise(f.franchiseId)), api.getFranchise(newId("franchise"))]),
  );
  assert.equal(count.statements, 1, count.log.join("\n"));
  assert.deepEqual(
    result.map((f) => f?.franchiseId),
    [...shops.map((f) => f.franchiseId), undefined],
  );
  const { bankCode, accountNumber } = result[0]!.settlementAccount;
  assert.deepEqual({ bankCode, accountNumber }, shops[0]!.settlementAccount);
});
