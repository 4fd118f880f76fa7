-- Single sign-on stores only an email the provider says is verified: an
-- account made at a first sign-in without one has no email (''), and several
-- such accounts may exist. A real email stays unique.

DROP INDEX users_email;
CREATE UNIQUE INDEX users_email ON users (email) WHERE email <> '';
