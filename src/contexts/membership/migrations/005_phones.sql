-- A member's mobile number, optional, so that others can find them to send money by it. Kept as its
-- digits in the domestic form (domain-phone.ts). One active member per number: a withdrawn member's
-- number is free again, as carriers hand numbers on.
ALTER TABLE members ADD COLUMN phone TEXT CHECK (phone ~ '^(010[0-9]{8}|01[16-9][0-9]{7,8})$');
CREATE UNIQUE INDEX members_phone_key ON members (phone) WHERE status = 'ACTIVE';
