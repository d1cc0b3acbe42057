//! Records the tests set up again and again: a contact (and with it its person) as a phone
//! records it, and the screening that makes it high-risk.

use crate::{TestServer, raw};
use fieldline_wire::contacts::{ContactInput, ContactStatus, Person, Setting};
use serde_json::{Value, json};
use uuid::Uuid;

/// An open on-scene domestic-violence contact half an hour ago about `person` ("Dana
/// Example" under `pseudonym`), needing shelter, with nothing else filled in. Tests change
/// the fields they are about.
pub fn open_contact(person: Uuid, pseudonym: &str) -> ContactInput {
    ContactInput {
        occurred_at: chrono::Utc::now() - chrono::Duration::minutes(30),
        setting: Setting::OnScene,
        incident_type: "domestic_violence".into(),
        location: None,
        person: Person {
            id: person,
            pseudonym: pseudonym.into(),
            name: Some("Dana Example".into()),
            phone: None,
            address: None,
        },
        safe_contact: None,
        needs: vec!["shelter".into()],
        services: vec![],
        referrals: vec![],
        follow_ups: vec![],
        notes: None,
        consent: None,
        status: ContactStatus::Open,
        screenings: vec![],
    }
}

/// A LAP screening as a phone submits it (JSON, under a new id) whose first answer is yes:
/// high risk, so the contact it comes with raises an alert.
pub fn high_risk_screening() -> Value {
    json!({"id": Uuid::new_v4(), "screening": {"instrument": "lap", "answers": ["yes","no","no","no","no","no","no","no","no","no","no"]}})
}

impl TestServer {
    /// `PUT /v1/contacts/{id}` with `contact` as its JSON body (a [`ContactInput`] or a
    /// `json!` document), a bearer token and, when given, `If-Match`: the status and the JSON
    /// body (`Null` if none).
    pub async fn put_contact(
        &self,
        token: &str,
        id: Uuid,
        contact: &impl serde::Serialize,
        if_match: Option<&str>,
    ) -> (u16, Value) {
        let mut req = raw()
            .put(self.url(&format!("/v1/contacts/{id}")))
            .bearer_auth(token)
            .json(contact);
        if let Some(m) = if_match {
            req = req.header("if-match", m);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// A new person in the token's agency, created the way phones do: by recording a contact
    /// about them (an open hospital contact an hour ago, pseudonym only). Asserts the 201.
    pub async fn new_person(&self, token: &str) -> Uuid {
        let person = Uuid::new_v4();
        let body = json!({
            "occurred_at": chrono::Utc::now() - chrono::Duration::hours(1),
            "setting": "hospital",
            "incident_type": "domestic_violence",
            "person": {"id": person, "pseudonym": "Client 7730"},
            "status": "open",
        });
        let (status, _) = self.put_contact(token, Uuid::new_v4(), &body, None).await;
        assert_eq!(status, 201);
        person
    }
}
