-- Single sign-on: the identity an account signs in with at an OpenID Connect
-- provider, the provider's issuer and its subject (the "sub" claim), which
-- never changes for a person at that provider as an email may. Accounts are
-- found by this pair, never by email alone. Empty for local accounts; an
-- account has at most one identity and an identity at most one account.

ALTER TABLE users ADD COLUMN sso_issuer TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN sso_subject TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX users_sso_identity ON users (sso_issuer, sso_subject) WHERE sso_subject <> '';
