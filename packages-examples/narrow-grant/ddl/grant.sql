-- Reporting may read invoices, and nothing else is granted.
GRANT SELECT ON sales.invoice TO reporting;
