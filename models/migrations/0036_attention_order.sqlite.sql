-- The dashboard's red and amber list shows the ten open engagements with the
-- most reasons for their colour (the lines of health_reasons), then by code.
-- Ordered by an expression no index held, it read and sorted every red
-- engagement on each rebuild of the dashboard, which a risk's quick action
-- brings about (1,639 rows at 10,000 engagements, read from the file: a
-- connection's page cache starts afresh after every commit). Indexed on the
-- same expression (models.attentionOrder, in the same words), the ten are
-- read in order from the index. engagements_attention (health, code) stays:
-- the engagements list filtered by health reads it in its order.
CREATE INDEX engagements_attention_order ON engagements (health, (LENGTH(health_reasons) - LENGTH(REPLACE(health_reasons, CHAR(10), ''))) DESC, code) WHERE closed_on IS NULL;
