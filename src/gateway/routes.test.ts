import assert from "node:assert/strict";
import { test } from "node:test";
import { ownerOf } from "./routes.js";

// The distributed deployment's routing table: which service the gateway asks for a public path.

test("the longest prefix wins, and an exact path beats a shorter owner's prefix", () => {
  const expected: Array<[string, string | undefined]> = [
    ["/v1/auth/login", "membership"],
    ["/v1/auth/logout", "membership"],
    ["/v1/memberships/mem_0190f0c4d6a87c3a9d1e2b3c4d5e6f70", "membership"],
    ["/v1/admin/members", "membership"],
    ["/v1/admin/members/mem_0190f0c4d6a87c3a9d1e2b3c4d5e6f70/activity", "query"],
    ["/v1/admin/members/mem_0190f0c4d6a87c3a9d1e2b3c4d5e6f70", "query"],
    ["/v1/admin/membersx", undefined],
    ["/v1/admin/franchises/fra_0190f0c4d6a87c3a9d1e2b3c4d5e6f70/commission", "membership"],
    ["/v1/admin/settlements/run", "settlement"],
    ["/v1/admin/settlements/runs", "settlement"],
    ["/v1/admin/settlements/runs/str_0190f0c4d6a87c3a9d1e2b3c4d5e6f70", "settlement"],
    ["/v1/settlements", "settlement"],
    ["/v1/admin/stats/money", "query"],
    ["/v1/money/me", "money"],
    ["/v1/moneyx", undefined],
    ["/v1/nothing", undefined],
  ];
  for (const [path, owner] of expected) assert.equal(ownerOf(path), owner, path);
});
