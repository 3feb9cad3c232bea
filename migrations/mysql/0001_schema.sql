-- The whole shop schema. Money in integer minor units, timestamps in unix
-- seconds (UTC), ids as integers. Kept in step with ../sqlite/0001_schema.sql.
-- Long text is VARCHAR, not TEXT: sqlx's Any driver reads MySQL TEXT columns
-- as BLOB.

CREATE TABLE categories (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    slug        VARCHAR(64)  NOT NULL UNIQUE,
    name        VARCHAR(100) NOT NULL,
    description VARCHAR(1000) NOT NULL,
    position    BIGINT       NOT NULL DEFAULT 0,
    created_at  BIGINT       NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE products (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    sku         VARCHAR(64)  NOT NULL UNIQUE,
    category_id BIGINT       NULL,
    name        VARCHAR(200) NOT NULL,
    description VARCHAR(5000) NOT NULL,
    price_cents BIGINT       NOT NULL CHECK (price_cents >= 0),
    currency    CHAR(3)      NOT NULL,
    stock       BIGINT       NOT NULL CHECK (stock >= 0),
    -- lower-cased name and description, written by the application, so that
    -- search is case-insensitive for every script on both backends
    search_text VARCHAR(5400) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    created_at  BIGINT       NOT NULL,
    updated_at  BIGINT       NOT NULL,
    deleted_at  BIGINT       NULL,
    FOREIGN KEY (category_id) REFERENCES categories (id) ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
CREATE INDEX products_category ON products (category_id, deleted_at);
CREATE INDEX products_listing ON products (deleted_at, id);

-- Image bytes live in the database, so every instance serves every image
-- and a backup holds the whole shop.
CREATE TABLE image_files (
    name         VARCHAR(64) PRIMARY KEY,
    content_type VARCHAR(32) NOT NULL,
    bytes        LONGBLOB    NOT NULL,
    created_at   BIGINT      NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE product_images (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    product_id  BIGINT      NOT NULL,
    position    BIGINT      NOT NULL DEFAULT 0,
    full_name   VARCHAR(64) NOT NULL,
    thumb_name  VARCHAR(64) NOT NULL,
    width       BIGINT      NOT NULL,
    height      BIGINT      NOT NULL,
    alt         VARCHAR(200) NOT NULL DEFAULT '',
    created_at  BIGINT      NOT NULL,
    FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE,
    FOREIGN KEY (full_name) REFERENCES image_files (name),
    FOREIGN KEY (thumb_name) REFERENCES image_files (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
CREATE INDEX product_images_product ON product_images (product_id, position);

CREATE TABLE users (
    id              BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    -- normalised (trimmed, lower-cased) so uniqueness ignores case
    email           VARCHAR(254) NOT NULL UNIQUE,
    name            VARCHAR(100) NOT NULL,
    password_hash   VARCHAR(255) NOT NULL,
    role            VARCHAR(16)  NOT NULL DEFAULT 'customer',
    phone           VARCHAR(32)  NOT NULL DEFAULT '',
    address_line1   VARCHAR(200) NOT NULL DEFAULT '',
    address_line2   VARCHAR(200) NOT NULL DEFAULT '',
    city            VARCHAR(100) NOT NULL DEFAULT '',
    postal_code     VARCHAR(16)  NOT NULL DEFAULT '',
    country         VARCHAR(2)   NOT NULL DEFAULT '',
    -- encrypted with the shop's secret key, NULL until enrolled
    totp_secret     BLOB         NULL,
    totp_enabled_at BIGINT       NULL,
    -- bumped on password or role change: sessions signed in under an older
    -- epoch are no longer signed in, wherever they are stored
    session_epoch   BIGINT       NOT NULL DEFAULT 0,
    created_at      BIGINT       NOT NULL,
    updated_at      BIGINT       NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE recovery_codes (
    id        BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id   BIGINT      NOT NULL,
    code_hash VARCHAR(128) NOT NULL,
    used_at   BIGINT      NULL,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- Server-side sessions, keyed by the SHA-256 of the cookie value: a leaked
-- table gives no usable session.
CREATE TABLE sessions (
    id_hash    CHAR(64)    PRIMARY KEY,
    user_id    BIGINT      NULL,
    data       VARCHAR(8000) NOT NULL,
    created_at BIGINT      NOT NULL,
    expires_at BIGINT      NOT NULL,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE carts (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    -- NULL for a visitor's cart, else the one cart of an account
    user_id    BIGINT      NULL UNIQUE,
    created_at BIGINT      NOT NULL,
    updated_at BIGINT      NOT NULL,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
CREATE INDEX carts_updated ON carts (updated_at);

CREATE TABLE cart_lines (
    cart_id    BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    quantity   BIGINT NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    added_at   BIGINT NOT NULL,
    PRIMARY KEY (cart_id, product_id),
    FOREIGN KEY (cart_id) REFERENCES carts (id) ON DELETE CASCADE,
    FOREIGN KEY (product_id) REFERENCES products (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE orders (
    id              BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id         BIGINT       NOT NULL,
    status          VARCHAR(20)  NOT NULL,
    idempotency_key VARCHAR(64)  NOT NULL,
    total_cents     BIGINT       NOT NULL CHECK (total_cents >= 0),
    currency        CHAR(3)      NOT NULL,
    ship_name       VARCHAR(100) NOT NULL DEFAULT '',
    ship_line1      VARCHAR(200) NOT NULL DEFAULT '',
    ship_line2      VARCHAR(200) NOT NULL DEFAULT '',
    ship_city       VARCHAR(100) NOT NULL DEFAULT '',
    ship_postal     VARCHAR(16)  NOT NULL DEFAULT '',
    ship_country    VARCHAR(2)   NOT NULL DEFAULT '',
    created_at      BIGINT       NOT NULL,
    updated_at      BIGINT       NOT NULL,
    UNIQUE (user_id, idempotency_key),
    FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
CREATE INDEX orders_status ON orders (status, created_at);

CREATE TABLE order_lines (
    id               BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id         BIGINT       NOT NULL,
    product_id       BIGINT       NOT NULL,
    name             VARCHAR(200) NOT NULL,
    unit_price_cents BIGINT       NOT NULL CHECK (unit_price_cents >= 0),
    quantity         BIGINT       NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    line_total_cents BIGINT       NOT NULL CHECK (line_total_cents >= 0),
    FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
    FOREIGN KEY (product_id) REFERENCES products (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
CREATE INDEX order_lines_order ON order_lines (order_id);

CREATE TABLE audit_log (
    id            BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    at            BIGINT       NOT NULL,
    actor_user_id BIGINT       NULL,
    action        VARCHAR(64)  NOT NULL,
    target        VARCHAR(128) NOT NULL DEFAULT '',
    client_ip     VARCHAR(45)  NOT NULL DEFAULT '',
    outcome       VARCHAR(16)  NOT NULL,
    detail        VARCHAR(2000) NOT NULL,
    FOREIGN KEY (actor_user_id) REFERENCES users (id) ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, at);
CREATE INDEX audit_log_action ON audit_log (action, at);

-- Messages to send (order confirmations), written in the transaction that
-- causes them and delivered by a background task.
CREATE TABLE outbox (
    id           BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    kind         VARCHAR(32)  NOT NULL,
    recipient    VARCHAR(254) NOT NULL,
    subject      VARCHAR(200) NOT NULL,
    body         VARCHAR(8000) NOT NULL,
    created_at   BIGINT       NOT NULL,
    processed_at BIGINT       NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
CREATE INDEX outbox_pending ON outbox (processed_at, id);

-- Failed sign-ins per key (an account's email hash, a client address) in
-- the current window, for throttling brute force.
CREATE TABLE login_throttle (
    throttle_key VARCHAR(128) PRIMARY KEY,
    window_start BIGINT       NOT NULL,
    failures     BIGINT       NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
