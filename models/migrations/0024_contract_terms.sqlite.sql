-- Each engagement's contract terms (one row an engagement, versioned like
-- every record a form edits: notice period, renewal, termination, price
-- review, governing documents) and the decisions taken on each term of it
-- (renew, renegotiate, exit; one a term, that is a contract end, with the
-- notice deadline it was taken against). The dashboard's
-- notice deadlines read both, so they move the data version (migration 9).

CREATE TABLE contract_terms (
  id {{pk}}, engagement_id BIGINT NOT NULL REFERENCES engagements(id), notice_days INTEGER NOT NULL DEFAULT 0,
  auto_renews BOOLEAN NOT NULL DEFAULT FALSE, renewal_months INTEGER NOT NULL DEFAULT 0,
  termination_for_convenience BOOLEAN NOT NULL DEFAULT FALSE, termination_notice_days INTEGER NOT NULL DEFAULT 0,
  assistance_months INTEGER NOT NULL DEFAULT 0, next_price_review DATE, documents TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1, created_at {{ts}}, updated_at {{ts}});
CREATE UNIQUE INDEX contract_terms_engagement ON contract_terms (engagement_id);

CREATE TABLE contract_decisions (
  id {{pk}}, engagement_id BIGINT NOT NULL REFERENCES engagements(id), contract_end DATE NOT NULL, deadline DATE NOT NULL, decision TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '', user_id BIGINT REFERENCES users(id), decided_at {{ts}} NOT NULL);
CREATE UNIQUE INDEX contract_decisions_term ON contract_decisions (engagement_id, contract_end);

CREATE TRIGGER data_version_contract_terms_insert AFTER INSERT ON contract_terms BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_contract_terms_update AFTER UPDATE ON contract_terms BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_contract_terms_delete AFTER DELETE ON contract_terms BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_contract_decisions_insert AFTER INSERT ON contract_decisions BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_contract_decisions_update AFTER UPDATE ON contract_decisions BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_contract_decisions_delete AFTER DELETE ON contract_decisions BEGIN UPDATE data_version SET n = n + 1; END;
