-- One counter that every change to the catalogue (products, stock, prices,
-- categories, pictures) raises in the transaction that makes the change.
-- Each instance keeps catalogue reads in memory and re-reads this row at
-- most once a second: a change made through one instance is seen by every
-- other within that second. Kept in step with ../sqlite/0003_catalogue_version.sql.

CREATE TABLE catalogue_version (
    id      BIGINT NOT NULL PRIMARY KEY,
    version BIGINT NOT NULL,
    CHECK (id = 1)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
INSERT INTO catalogue_version (id, version) VALUES (1, 0);
