-- The last TOTP time step accepted for each account: a code is accepted
-- once (RFC 6238 section 5.2), so a step at or before this one is refused.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NULL;
