-- The session rule, in one place: a live, unrevoked session of an enabled user, with the
-- roles and grants the database holds now. `auth::authenticate` selects from it, and the
-- directory searches join it into their own statement, so a search is one round trip and
-- still never answers a revoked session, a disabled user or yesterday's roles.
--
-- A plain SQL function (STABLE, one SELECT, no SET or SECURITY DEFINER) so PostgreSQL
-- inlines it into the query that calls it: two primary-key lookups, planned with the rest.
CREATE FUNCTION session_actor(sid uuid, sub uuid)
RETURNS TABLE (agency_id uuid, roles text[], grants text[])
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT u.agency_id, u.roles, u.grants
      FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.id = sid AND s.user_id = sub
       AND s.revoked_at IS NULL AND s.expires_at > now()
       AND u.disabled_at IS NULL
$$;
