-- The one visibility rule for a person (issue #16, finding 1; design.md "Trust rules"): in the
-- viewer's agency, with at least one contact the viewer may see (`contact_visible_to`), or
-- with no contact yet (recorded before their first one). A person known only through records
-- sealed to others is hidden, and so is everything hung on them: their safety plan and its
-- versions, their name in a search. Sync, the person search, the plan store and the contact
-- writes all call this function; none restates it.
--
-- A plain STABLE SQL function so PostgreSQL inlines it into the calling statement.
CREATE FUNCTION person_visible_to(person uuid, agency uuid, viewer uuid)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (
        SELECT 1 FROM persons p
         WHERE p.id = person AND p.agency_id = agency
           AND (NOT EXISTS (SELECT 1 FROM contacts c WHERE c.person_id = p.id)
                OR EXISTS (SELECT 1 FROM contacts c
                            WHERE c.person_id = p.id
                              AND contact_visible_to(c.sealed, c.advocate_id, c.id, viewer))))
$$;
