-- One counter that every change to the catalogue (products, stock, prices,
-- categories, pictures) raises in the transaction that makes the change.
-- Each instance keeps catalogue reads in memory and re-reads this row at
-- most once a second: a change made through one instance is seen by every
-- other within that second. Kept in step with ../mysql/0003_catalogue_version.sql.

CREATE TABLE catalogue_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO catalogue_version (id, version) VALUES (1, 0);
