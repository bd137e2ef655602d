-- Inverse of create-authorization.sql (runs only while the table is empty).
DROP TABLE access.authorization_grant;
