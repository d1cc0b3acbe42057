-- The distance unit an agency's screens show (issue #19): miles for US agencies, kilometres
-- elsewhere. The API keeps metres; this is for display only. Set by an admin.
ALTER TABLE agencies ADD COLUMN distance_unit text NOT NULL DEFAULT 'km'
    CHECK (distance_unit IN ('km', 'mi'));
