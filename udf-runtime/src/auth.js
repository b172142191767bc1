// ctx.auth.getUserIdentity(): the SQL caller's identity, from the session
// (extension/auth.c reads the settings). udf.identity is taken as Convex's
// UserIdentity itself; PostgREST's request.jwt.claims are a verified JWT's
// claims, mapped to Convex's field names as Convex maps a JWT's: sub ->
// subject, iss -> issuer, tokenIdentifier = iss|sub, the OpenID Connect
// standard claims to their camelCase names, other (custom) claims kept as
// they are. Claims without a subject (an anonymous request) are no identity.
import { SQLSTATE, sqlError } from "./errors.js";

// OpenID Connect standard claims and UserIdentity's names for them.
const STANDARD_CLAIMS = {
  name: "name",
  given_name: "givenName",
  family_name: "familyName",
  nickname: "nickname",
  preferred_username: "preferredUsername",
  profile: "profileUrl",
  picture: "pictureUrl",
  email: "email",
  email_verified: "emailVerified",
  gender: "gender",
  birthdate: "birthday",
  zoneinfo: "timezone",
  locale: "language",
  phone_number: "phoneNumber",
  phone_number_verified: "phoneNumberVerified",
  address: "address",
  updated_at: "updatedAt",
};
// Registered JWT claims that describe the token, not the user.
const TOKEN_CLAIMS = new Set(["iss", "sub", "aud", "exp", "iat", "nbf", "jti"]);

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// udf.identity's text as a UserIdentity; throws naming the setting.
function fromSetting(text) {
  let identity;
  try {
    identity = JSON.parse(text);
  } catch (e) {
    identity = e;
  }
  const why = identity instanceof Error ? `it is not JSON (${identity.message})`
    : !isObject(identity) ? "it is not a JSON object"
    : typeof identity.subject !== "string" ? "\"subject\" must be a string"
    : typeof identity.issuer !== "string" ? "\"issuer\" must be a string"
    : identity.tokenIdentifier !== undefined && typeof identity.tokenIdentifier !== "string"
      ? "\"tokenIdentifier\" must be a string" : null;
  if (why) {
    throw sqlError(SQLSTATE.argumentValidation,
      `udf.identity is not a valid identity: ${why}. Set it to a JSON object of Convex's UserIdentity fields, ` +
      `e.g. SET udf.identity = '{"subject": "user1", "issuer": "https://auth.example.com"}', or RESET it.`);
  }
  return { tokenIdentifier: `${identity.issuer}|${identity.subject}`, ...identity };
}

// PostgREST's claims as a UserIdentity, or null without a subject.
function fromClaims(text) {
  let claims;
  try {
    claims = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(claims) || typeof claims.sub !== "string") return null;
  const issuer = typeof claims.iss === "string" ? claims.iss : "";
  const identity = { tokenIdentifier: `${issuer}|${claims.sub}`, subject: claims.sub, issuer };
  for (const [claim, value] of Object.entries(claims)) {
    if (TOKEN_CLAIMS.has(claim) || value === undefined) continue;
    identity[STANDARD_CLAIMS[claim] ?? claim] = value;
  }
  return identity;
}

export function makeAuth(ops) {
  return {
    // The caller's identity, or null (none set, or a call that has none).
    userIdentity(anonymous) {
      if (anonymous) return null;
      const { identity, claims } = ops.identity();
      if (identity !== null) return fromSetting(identity);
      if (claims !== null) return fromClaims(claims);
      return null;
    },
  };
}
