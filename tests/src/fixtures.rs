//! Records the tests set up again and again: a contact (and with it its person) as a phone
//! records it, the screening that makes it high-risk, and data-key files for rotation.

use crate::{TestServer, raw};
use fieldline_api::encryption::generate_file;
use fieldline_wire::contacts::{ContactInput, ContactStatus, Person, Setting};
use serde_json::{Value, json};
use std::path::PathBuf;
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

/// Data-key files for a key-rotation test, in a new folder `dir` under the temporary
/// directory: `old` (a search key and the data key `old`), `both` (a new current data key
/// `new`, with `old` kept for reading) and `only_new` (the search key and `new` alone).
pub struct RotationKeys {
    pub dir: PathBuf,
    pub old: PathBuf,
    pub both: PathBuf,
    pub only_new: PathBuf,
}

impl RotationKeys {
    /// Writes the three files into `{prefix}-{a new uuid}`.
    pub fn write(prefix: &str) -> RotationKeys {
        let dir = std::env::temp_dir().join(format!("{prefix}-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let old_text = generate_file("old");
        let old = dir.join("old");
        std::fs::write(&old, &old_text).unwrap();
        let mut lines = old_text.lines();
        let (search, old_key) = (lines.next().unwrap(), lines.next().unwrap());
        let new_key = generate_file("new").lines().nth(1).unwrap().to_owned();
        let both = dir.join("both");
        std::fs::write(&both, format!("{search}\n{new_key}\n{old_key}\n")).unwrap();
        let only_new = dir.join("only-new");
        std::fs::write(&only_new, format!("{search}\n{new_key}\n")).unwrap();
        RotationKeys {
            dir,
            old,
            both,
            only_new,
        }
    }
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
