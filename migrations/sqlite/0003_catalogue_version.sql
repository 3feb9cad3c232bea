-- One counter that every change to the catalogue (products, stock, prices,
-- categories, pictures) raises in the transaction that makes the change:
-- triggers raise it, so no statement can forget, the shop's own or one
-- typed into a database console.
-- Each instance keeps catalogue reads in memory and re-reads this row at
-- most once a second: a change made through one instance is seen by every
-- other within that second. Kept in step with ../mysql/0003_catalogue_version.sql.

CREATE TABLE catalogue_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO catalogue_version (id, version) VALUES (1, 0);

CREATE TRIGGER categories_insert_catalogue_version AFTER INSERT ON categories
BEGIN
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER categories_update_catalogue_version AFTER UPDATE ON categories
BEGIN
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER categories_delete_catalogue_version AFTER DELETE ON categories
BEGIN
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER products_insert_catalogue_version AFTER INSERT ON products
BEGIN
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER products_update_catalogue_version AFTER UPDATE ON products
BEGIN
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER products_delete_catalogue_version AFTER DELETE ON products
BEGIN
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER product_images_insert_catalogue_version AFTER INSERT ON product_images
BEGIN
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER product_images_update_catalogue_version AFTER UPDATE ON product_images
BEGIN
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER product_images_delete_catalogue_version AFTER DELETE ON product_images
BEGIN
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;
END;
