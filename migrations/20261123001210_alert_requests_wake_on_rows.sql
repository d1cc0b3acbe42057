-- A statement-level trigger fires even when its INSERT adds no row. Recording a contact inserts
-- the alert requests its screenings owe in the same statement as the screenings, usually none,
-- and each of those empty inserts woke every escalation worker for a needless round. Wake on
-- rows instead (PostgreSQL folds a transaction's identical notifications into one).
DROP TRIGGER alert_requests_wake ON alert_requests;
CREATE TRIGGER alert_requests_wake AFTER INSERT ON alert_requests
    FOR EACH ROW EXECUTE FUNCTION alerts_wake();
