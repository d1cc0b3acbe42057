-- Web-app sessions (issue #16, finding 11): a session signed in with `client: "web"` has an
-- idle limit; a refresh after `idle_timeout` without a request or a refresh is refused
-- (auth/session.rs), so a seized phone's stored refresh token stops working. Sessions of the
-- phones' bridge keep NULL: advocates in the field may be offline for hours.
ALTER TABLE sessions ADD COLUMN idle_timeout interval CHECK (idle_timeout > interval '0');

-- The web app's device key: 32 random bytes per user, handed to web sessions with their
-- tokens and kept in the browser's memory only. It unwraps the key that seals the contacts
-- the browser queues offline (web/src/vault.ts), so the browser's storage alone does not
-- reveal them. Made at the user's first web sign-in.
ALTER TABLE users ADD COLUMN web_device_key bytea CHECK (length(web_device_key) = 32);
