-- Accepted risks by the expiry of their acceptance: the dashboard's count of
-- expired acceptances, the register's "acceptance expired" filter and the
-- health facts ask for status = accepted AND accept_expiry < today. Without
-- it the count read every accepted risk's row (a quarter of the register).

CREATE INDEX risks_status_expiry ON risks (status, accept_expiry);
