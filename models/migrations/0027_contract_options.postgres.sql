-- Contract terms gain the initial term's end, the renewal options (each its
-- length and the last day to take it up, one a line) and several
-- price-review dates in place of the next one alone, which becomes the
-- first of them.

ALTER TABLE contract_terms ADD COLUMN initial_term_end DATE;
ALTER TABLE contract_terms ADD COLUMN renewal_options TEXT NOT NULL DEFAULT '';
ALTER TABLE contract_terms ADD COLUMN price_reviews TEXT NOT NULL DEFAULT '';
UPDATE contract_terms SET price_reviews = to_char(next_price_review, 'YYYY-MM-DD') WHERE next_price_review IS NOT NULL;
ALTER TABLE contract_terms DROP COLUMN next_price_review;
