-- The emergency number an agency's phones offer next to the coordinator line when a duress
-- alert cannot be sent (issue #19): 911 in the US, 112 or 999 elsewhere. Set by an admin.
ALTER TABLE agencies ADD COLUMN emergency_number text
    CHECK (emergency_number IS NULL OR length(btrim(emergency_number)) BETWEEN 3 AND 40);
