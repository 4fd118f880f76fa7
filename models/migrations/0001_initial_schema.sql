-- The initial schema: the tables, keys and indexes the app started with.
-- {{pk}} is each database's auto-incrementing primary key, {{ts}} its timestamp type.

CREATE TABLE users (
  id {{pk}}, name TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL,
  password_hash TEXT NOT NULL DEFAULT '', disabled BOOLEAN NOT NULL DEFAULT FALSE,
  sessions_after {{ts}}, created_at {{ts}}, updated_at {{ts}});
CREATE TABLE login_throttles (
  key TEXT PRIMARY KEY, failures INTEGER NOT NULL DEFAULT 0, locked_until {{ts}}, updated_at {{ts}});
CREATE UNIQUE INDEX users_email ON users (email);

CREATE TABLE vendors (
  id {{pk}}, name TEXT NOT NULL, country TEXT NOT NULL DEFAULT '', delivery_locations TEXT NOT NULL DEFAULT '',
  tier INTEGER NOT NULL DEFAULT 2, expertise INTEGER NOT NULL DEFAULT 0, track_record INTEGER NOT NULL DEFAULT 0,
  financial_stability INTEGER NOT NULL DEFAULT 0, cultural_fit INTEGER NOT NULL DEFAULT 0,
  security_posture INTEGER NOT NULL DEFAULT 0, references_checked BOOLEAN NOT NULL DEFAULT FALSE,
  notes TEXT NOT NULL DEFAULT '', archived BOOLEAN NOT NULL DEFAULT FALSE, version INTEGER NOT NULL DEFAULT 1,
  created_at {{ts}}, updated_at {{ts}});
CREATE UNIQUE INDEX vendors_name ON vendors (name);

CREATE TABLE engagements (
  id {{pk}}, code TEXT NOT NULL, name TEXT NOT NULL, model TEXT NOT NULL, tower TEXT NOT NULL,
  vendor_id BIGINT NOT NULL REFERENCES vendors(id), business_unit TEXT NOT NULL DEFAULT '',
  delivery_location TEXT NOT NULL DEFAULT '', sponsor TEXT NOT NULL DEFAULT '',
  manager_id BIGINT REFERENCES users(id), phase TEXT NOT NULL, start_date DATE, contract_end DATE,
  planned_transfer DATE, actual_transfer DATE, contract_value BIGINT NOT NULL DEFAULT 0,
  currency TEXT NOT NULL, pricing_model TEXT NOT NULL DEFAULT '', vendor_headcount INTEGER NOT NULL DEFAULT 0,
  client_headcount INTEGER NOT NULL DEFAULT 0, description TEXT NOT NULL DEFAULT '',
  health TEXT NOT NULL DEFAULT 'green', health_reasons TEXT NOT NULL DEFAULT '', health_on DATE,
  closed_on DATE, version INTEGER NOT NULL DEFAULT 1, created_at {{ts}}, updated_at {{ts}});
CREATE UNIQUE INDEX engagements_code ON engagements (code);
CREATE INDEX engagements_vendor ON engagements (vendor_id);
CREATE INDEX engagements_manager ON engagements (manager_id);
CREATE INDEX engagements_filters ON engagements (model, phase, health);
CREATE INDEX engagements_name ON engagements (name);

CREATE TABLE engagement_managers (
  engagement_id BIGINT NOT NULL REFERENCES engagements(id), user_id BIGINT NOT NULL REFERENCES users(id),
  PRIMARY KEY (engagement_id, user_id));
CREATE INDEX engagement_managers_user ON engagement_managers (user_id);

CREATE TABLE phase_changes (
  id {{pk}}, engagement_id BIGINT NOT NULL REFERENCES engagements(id), from_phase TEXT NOT NULL,
  to_phase TEXT NOT NULL, changed_on DATE NOT NULL, user_id BIGINT REFERENCES users(id), created_at {{ts}});
CREATE INDEX phase_changes_engagement ON phase_changes (engagement_id, changed_on);

CREATE TABLE cost_records (
  id {{pk}}, engagement_id BIGINT NOT NULL REFERENCES engagements(id), month DATE NOT NULL,
  currency TEXT NOT NULL, baseline BIGINT NOT NULL DEFAULT 0, vendor_fees BIGINT NOT NULL DEFAULT 0,
  retained BIGINT NOT NULL DEFAULT 0, one_off BIGINT NOT NULL DEFAULT 0, credits BIGINT NOT NULL DEFAULT 0,
  planned_savings BIGINT NOT NULL DEFAULT 0, savings_type TEXT NOT NULL DEFAULT 'hard',
  version INTEGER NOT NULL DEFAULT 1, created_at {{ts}}, updated_at {{ts}});
CREATE UNIQUE INDEX cost_records_engagement_month ON cost_records (engagement_id, month);
CREATE INDEX cost_records_month ON cost_records (month, currency);

CREATE TABLE fx_rates (
  id {{pk}}, currency TEXT NOT NULL, month DATE NOT NULL, rate TEXT NOT NULL);
CREATE UNIQUE INDEX fx_rates_currency_month ON fx_rates (currency, month);

CREATE TABLE service_levels (
  id {{pk}}, engagement_id BIGINT NOT NULL REFERENCES engagements(id), name TEXT NOT NULL,
  target BIGINT NOT NULL, unit TEXT NOT NULL, direction TEXT NOT NULL, credit_rule TEXT NOT NULL DEFAULT '',
  credit_pct INTEGER NOT NULL DEFAULT 0, archived BOOLEAN NOT NULL DEFAULT FALSE,
  version INTEGER NOT NULL DEFAULT 1, created_at {{ts}}, updated_at {{ts}});
CREATE INDEX service_levels_engagement ON service_levels (engagement_id);

CREATE TABLE sla_measurements (
  id {{pk}}, service_level_id BIGINT NOT NULL REFERENCES service_levels(id),
  engagement_id BIGINT NOT NULL REFERENCES engagements(id), month DATE NOT NULL, actual BIGINT NOT NULL,
  met BOOLEAN NOT NULL, note TEXT NOT NULL DEFAULT '', created_at {{ts}}, updated_at {{ts}});
CREATE UNIQUE INDEX sla_measurements_sla_month ON sla_measurements (service_level_id, month);
CREATE INDEX sla_measurements_month ON sla_measurements (month, engagement_id, met);
CREATE INDEX sla_measurements_engagement ON sla_measurements (engagement_id, month);

CREATE TABLE risks (
  id {{pk}}, engagement_id BIGINT REFERENCES engagements(id), ref TEXT NOT NULL, title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '', category TEXT NOT NULL,
  inherent_likelihood INTEGER NOT NULL, inherent_impact INTEGER NOT NULL, inherent_score INTEGER NOT NULL,
  residual_likelihood INTEGER NOT NULL, residual_impact INTEGER NOT NULL, residual_score INTEGER NOT NULL,
  response TEXT NOT NULL DEFAULT 'reduce', mitigation TEXT NOT NULL DEFAULT '', owner_id BIGINT REFERENCES users(id),
  status TEXT NOT NULL DEFAULT 'open', next_review DATE, raised_on DATE NOT NULL, closed_on DATE,
  closed_reason TEXT NOT NULL DEFAULT '', accepted_by TEXT NOT NULL DEFAULT '',
  accept_justification TEXT NOT NULL DEFAULT '', accept_expiry DATE,
  version INTEGER NOT NULL DEFAULT 1, created_at {{ts}}, updated_at {{ts}});
CREATE UNIQUE INDEX risks_ref ON risks (ref);
CREATE INDEX risks_engagement ON risks (engagement_id, status);
CREATE INDEX risks_status_residual ON risks (status, residual_score DESC, id);
CREATE INDEX risks_residual_cell ON risks (residual_likelihood, residual_impact, status);
CREATE INDEX risks_inherent_cell ON risks (inherent_likelihood, inherent_impact, status);
CREATE INDEX risks_next_review ON risks (status, next_review);
CREATE INDEX risks_owner ON risks (owner_id);
CREATE INDEX risks_category ON risks (category, status);

CREATE TABLE changes (
  id {{pk}}, entity TEXT NOT NULL, entity_id BIGINT NOT NULL, action TEXT NOT NULL, field TEXT NOT NULL DEFAULT '',
  old TEXT NOT NULL DEFAULT '', new TEXT NOT NULL DEFAULT '', user_id BIGINT REFERENCES users(id), at {{ts}} NOT NULL);
CREATE INDEX changes_entity ON changes (entity, entity_id, at);
CREATE INDEX changes_at ON changes (entity, at);

CREATE TABLE mitigation_actions (
  id {{pk}}, risk_id BIGINT NOT NULL REFERENCES risks(id), action TEXT NOT NULL, owner_id BIGINT REFERENCES users(id),
  due DATE, status TEXT NOT NULL DEFAULT 'planned', version INTEGER NOT NULL DEFAULT 1,
  created_at {{ts}}, updated_at {{ts}});
CREATE INDEX mitigation_actions_risk ON mitigation_actions (risk_id);

CREATE TABLE milestones (
  id {{pk}}, engagement_id BIGINT NOT NULL REFERENCES engagements(id), phase TEXT NOT NULL, name TEXT NOT NULL,
  is_key BOOLEAN NOT NULL DEFAULT FALSE, planned DATE NOT NULL, forecast DATE, actual DATE,
  version INTEGER NOT NULL DEFAULT 1, created_at {{ts}}, updated_at {{ts}});
CREATE INDEX milestones_engagement ON milestones (engagement_id, planned);
CREATE INDEX milestones_planned ON milestones (planned, actual);

CREATE TABLE readiness_items (
  id {{pk}}, engagement_id BIGINT NOT NULL REFERENCES engagements(id), area TEXT NOT NULL, weight INTEGER NOT NULL,
  status INTEGER NOT NULL DEFAULT 0, owner TEXT NOT NULL DEFAULT '', evidence TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1, created_at {{ts}}, updated_at {{ts}});
CREATE INDEX readiness_items_engagement ON readiness_items (engagement_id);

CREATE TABLE transfer_gates (
  id {{pk}}, engagement_id BIGINT NOT NULL REFERENCES engagements(id), decision TEXT NOT NULL, decided_on DATE NOT NULL,
  decided_by TEXT NOT NULL, conditions TEXT NOT NULL DEFAULT '', created_at {{ts}});
CREATE INDEX transfer_gates_engagement ON transfer_gates (engagement_id);

CREATE TABLE governance_reviews (
  id {{pk}}, engagement_id BIGINT NOT NULL REFERENCES engagements(id), quarter TEXT NOT NULL, held_on DATE,
  rating TEXT NOT NULL DEFAULT '', commentary TEXT NOT NULL DEFAULT '', decisions TEXT NOT NULL DEFAULT '',
  escalations TEXT NOT NULL DEFAULT '', version INTEGER NOT NULL DEFAULT 1, created_at {{ts}}, updated_at {{ts}});
CREATE UNIQUE INDEX governance_reviews_engagement_quarter ON governance_reviews (engagement_id, quarter);
CREATE INDEX governance_reviews_quarter ON governance_reviews (quarter);

CREATE TABLE review_actions (
  id {{pk}}, governance_review_id BIGINT NOT NULL REFERENCES governance_reviews(id),
  engagement_id BIGINT NOT NULL REFERENCES engagements(id), action TEXT NOT NULL, owner TEXT NOT NULL DEFAULT '',
  due DATE, status TEXT NOT NULL DEFAULT 'open', created_at {{ts}}, updated_at {{ts}});
CREATE INDEX review_actions_review ON review_actions (governance_review_id);

CREATE TABLE lessons (
  id {{pk}}, title TEXT NOT NULL, what_happened TEXT NOT NULL DEFAULT '', lesson TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL, phase TEXT NOT NULL, category TEXT NOT NULL DEFAULT '',
  engagement_id BIGINT REFERENCES engagements(id), tower TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '',
  author_id BIGINT REFERENCES users(id), learned_on DATE NOT NULL, risk_id BIGINT REFERENCES risks(id),
  archived BOOLEAN NOT NULL DEFAULT FALSE, version INTEGER NOT NULL DEFAULT 1, created_at {{ts}}, updated_at {{ts}});
CREATE INDEX lessons_phase_tower ON lessons (phase, tower);
CREATE INDEX lessons_learned_on ON lessons (learned_on);
CREATE INDEX lessons_engagement ON lessons (engagement_id);

CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at {{ts}});

CREATE TABLE published_packs (
  id {{pk}}, quarter TEXT NOT NULL, engagement_id BIGINT REFERENCES engagements(id), snapshot TEXT NOT NULL,
  published_by BIGINT NOT NULL REFERENCES users(id), published_at {{ts}} NOT NULL);
CREATE INDEX published_packs_quarter ON published_packs (quarter, engagement_id);
