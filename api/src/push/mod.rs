//! Web Push to coordinators' phones. The delivery outbox and worker arrive with the alerts
//! issue; the VAPID identity is part of the foundation because it must never change once
//! phones have subscribed.

pub mod vapid;
