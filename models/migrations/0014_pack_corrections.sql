-- A published pack can be corrected. A correction is a new version of the
-- quarter's pack, with who published it, when and why; the versions before it
-- stay readable. The unique index keeps two admins publishing at once from both
-- taking the same version number.

ALTER TABLE published_packs ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE published_packs ADD COLUMN reason TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX published_packs_quarter_version ON published_packs (quarter, version) WHERE engagement_id IS NULL;
