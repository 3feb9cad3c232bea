-- One counter that every change to the catalogue (products, stock, prices,
-- categories, pictures) raises in the transaction that makes the change:
-- triggers raise it, so no statement can forget, the shop's own or one
-- typed into a database console.
-- Each instance keeps catalogue reads in memory and re-reads this row at
-- most once a second: a change made through one instance is seen by every
-- other within that second. Kept in step with ../sqlite/0003_catalogue_version.sql.

CREATE TABLE catalogue_version (
    id      BIGINT NOT NULL PRIMARY KEY,
    version BIGINT NOT NULL,
    CHECK (id = 1)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
INSERT INTO catalogue_version (id, version) VALUES (1, 0);

CREATE TRIGGER categories_insert_catalogue_version AFTER INSERT ON categories FOR EACH ROW
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;

CREATE TRIGGER categories_update_catalogue_version AFTER UPDATE ON categories FOR EACH ROW
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;

CREATE TRIGGER categories_delete_catalogue_version AFTER DELETE ON categories FOR EACH ROW
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;

CREATE TRIGGER products_insert_catalogue_version AFTER INSERT ON products FOR EACH ROW
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;

CREATE TRIGGER products_update_catalogue_version AFTER UPDATE ON products FOR EACH ROW
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;

CREATE TRIGGER products_delete_catalogue_version AFTER DELETE ON products FOR EACH ROW
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;

CREATE TRIGGER product_images_insert_catalogue_version AFTER INSERT ON product_images FOR EACH ROW
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;

CREATE TRIGGER product_images_update_catalogue_version AFTER UPDATE ON product_images FOR EACH ROW
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;

CREATE TRIGGER product_images_delete_catalogue_version AFTER DELETE ON product_images FOR EACH ROW
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;
