-- Sandbox only (dry-run): schema shop and the orders table the change refers to.
CREATE ROLE shop_owner LOGIN;
CREATE SCHEMA shop AUTHORIZATION shop_owner;

SET ROLE shop_owner;
CREATE TABLE shop.orders (
  id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  placed timestamptz NOT NULL DEFAULT now()
);
INSERT INTO shop.orders DEFAULT VALUES;
RESET ROLE;
