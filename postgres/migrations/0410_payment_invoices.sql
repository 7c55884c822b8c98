-- 0410 payment: the invoices of payment.Invoicing as documents, with the
-- columns the database must guard (one invoice per reference, one per KID).
CREATE TABLE payment_invoices (
    reference text        PRIMARY KEY,
    kid       text        NOT NULL UNIQUE,
    created   timestamptz NOT NULL,
    doc       jsonb       NOT NULL
);

-- The refund and cancel idempotency keys answered, each on one invoice.
CREATE TABLE payment_invoice_keys (
    key       text PRIMARY KEY,
    reference text NOT NULL REFERENCES payment_invoices (reference)
);

-- The invoice numbers in the KIDs: a sequence never hands out a number
-- twice, so a restarted or second process never reuses a KID.
CREATE SEQUENCE payment_invoice_numbers;
