import { Type } from "@sinclair/typebox";
import { roles } from "../../platform/auth/tokens.js";
import { IdParams, idPattern } from "../../platform/http/params.js";
import { withDefault } from "../../platform/http/validation.js";
import {
  emailMaxLength,
  memberStatuses,
  memberTypes,
  passwordRule,
  registrableTypes,
  visibleText,
} from "./domain.js";
import { phoneInput } from "./domain-phone.js";

/** The HTTP shapes of membership and auth (API.md "Membership and auth"). */

const literals = <T extends string>(values: readonly T[], options = {}) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  );

const Name = Type.String({
  ...visibleText,
  description: "1–100 characters, no control characters, not blank",
});
const Region = Type.String({
  ...visibleText,
  description: "1–100 characters, no control characters, not blank",
});
const Password = Type.String({ ...passwordRule, description: "8–128 characters" });
const Phone = Type.String({
  ...phoneInput,
  description:
    "A Korean mobile number, with or without separators or +82 (010-1234-5678); kept as its digits, 01012345678",
  examples: ["010-1234-5678"],
});
const MembershipId = Type.String({
  description: "mem_…",
  examples: ["mem_0190f0c4d6a87c3a9d1e2b3c4d5e6f70"],
});
const RoleSchema = literals(roles);

export const Membership = Type.Object(
  {
    membershipId: MembershipId,
    name: Type.String(),
    email: Type.String(),
    phone: Type.Union([Type.String({ examples: ["01012345678"] }), Type.Null()], {
      description: "The mobile number's digits (others may find the member by it), or null",
    }),
    region: Type.String(),
    type: literals(memberTypes, {
      description: "personal or merchant; 'staff' only for staff members, who never register themselves",
    }),
    role: literals(roles, { description: "What the member's access tokens allow: personal → customer" }),
    status: literals(memberStatuses),
    createdAt: Type.String({ format: "date-time" }),
  },
  { title: "Membership" },
);

export const MemberSearchQuery = Type.Object(
  {
    query: Type.Optional(
      Type.String({
        ...visibleText,
        maxLength: 200,
        description:
          "Part of the email or the name, whatever its case, a whole membershipId, or a whole mobile number; absent: all",
      }),
    ),
    limit: withDefault(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(
      Type.String({ pattern: idPattern("membership"), description: "nextCursor of the previous page" }),
    ),
  },
  { additionalProperties: false },
);

export const MembershipList = Type.Object(
  { items: Type.Array(Membership), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { title: "MembershipList" },
);

export const Registration = Type.Object(
  {
    name: Name,
    email: Type.String({
      format: "email",
      maxLength: emailMaxLength,
      description: "Unique, whatever its case",
    }),
    password: Password,
    region: Region,
    type: literals(registrableTypes),
    phone: Type.Optional(Phone),
  },
  { additionalProperties: false, title: "Registration" },
);

export const MembershipChanges = Type.Object(
  {
    name: Type.Optional(Name),
    region: Type.Optional(Region),
    password: Type.Optional(Password),
    phone: Type.Optional(
      Type.Union([Phone, Type.Null()], { description: "A new mobile number, or null for none" }),
    ),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    title: "MembershipChanges",
    description: "A new password ends every session (refresh token) of the member",
  },
);

export const MembershipParams = IdParams("membership");

export const LookupQuery = Type.Object(
  {
    email: Type.Optional(
      Type.String({
        format: "email",
        minLength: 3,
        maxLength: emailMaxLength,
        description: "The payee's email, whatever its case",
      }),
    ),
    phone: Type.Optional(
      Type.String({ ...phoneInput, description: "The payee's mobile number, however it is written" }),
    ),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 1,
    description: "email or phone, one of them",
  },
);

export const MembershipLookup = Type.Object(
  {
    membershipId: MembershipId,
    maskedName: Type.String({
      description: "The name with all but each word's first and last character masked",
      examples: ["김*지"],
    }),
  },
  { additionalProperties: false, title: "MembershipLookup" },
);

export const Credentials = Type.Object(
  {
    // Not the registration's email format: staff emails from configuration may be simpler.
    email: Type.String({ minLength: 3, maxLength: emailMaxLength, pattern: "^[^\\p{Cc}\\p{Cs}\\s]+$" }),
    password: Type.String({ minLength: 1, maxLength: passwordRule.maxLength }),
  },
  { additionalProperties: false, title: "Credentials" },
);

export const Session = Type.Object(
  {
    accessToken: Type.String({ description: "An Ed25519-signed JWT; send as Authorization: Bearer" }),
    refreshToken: Type.String({ description: "Opaque; works once, for POST /v1/auth/refresh" }),
    expiresIn: Type.Integer({ description: "Seconds the access token lives" }),
  },
  { title: "Session" },
);

export const RefreshRequest = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false, title: "RefreshRequest" },
);

export const ValidateRequest = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 8192, description: "An access token" }) },
  { additionalProperties: false, title: "ValidateRequest" },
);

export const Validation = Type.Object(
  { valid: Type.Boolean(), membershipId: Type.Optional(MembershipId), role: Type.Optional(RoleSchema) },
  { title: "Validation" },
);

export const Jwks = Type.Object(
  {
    keys: Type.Array(
      Type.Object(
        { kty: Type.String(), crv: Type.String(), x: Type.String(), kid: Type.String(), alg: Type.String() },
        { additionalProperties: true },
      ),
    ),
  },
  { title: "JSONWebKeySet", description: "The public keys that verify access tokens (RFC 7517)" },
);
