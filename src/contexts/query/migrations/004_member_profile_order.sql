-- When membership made the region the read model holds (MemberRegistered's registeredAt, or
-- MemberModified's modifiedAt): an older event arriving late does not overwrite a newer region.
ALTER TABLE member_balances ADD COLUMN profile_at TIMESTAMPTZ;
