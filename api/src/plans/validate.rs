//! Checking a plan before it is sealed. All problems at once, each with a pointer into the
//! body; messages never quote the value (it is the victim's plan).

use fieldline_wire::FieldError;
use fieldline_wire::plans::SafetyPlanContent;

pub const MAX_ITEMS: usize = 50;
pub const MAX_ITEM_CHARS: usize = 500;
pub const MAX_CODE_WORD_CHARS: usize = 100;
const MAX_NAME_CHARS: usize = 200;
const MAX_PHONE_CHARS: usize = 40;
const MAX_RELATIONSHIP_CHARS: usize = 100;

/// Trims every value (an empty code word or relationship becomes absent) and checks lengths.
pub fn validate(mut c: SafetyPlanContent) -> Result<SafetyPlanContent, Vec<FieldError>> {
    let mut e = Errors::default();
    for (list, ptr) in [
        (&mut c.warning_signs, "/warning_signs"),
        (&mut c.safe_places, "/safe_places"),
        (&mut c.leaving.go_bag, "/leaving/go_bag"),
        (&mut c.leaving.documents, "/leaving/documents"),
        (&mut c.leaving.plan, "/leaving/plan"),
        (&mut c.children, "/children"),
        (&mut c.technology, "/technology"),
        (&mut c.work_or_school, "/work_or_school"),
        (&mut c.support_and_self_care, "/support_and_self_care"),
    ] {
        e.count(list.len(), ptr);
        for (i, item) in list.iter_mut().enumerate() {
            *item = item.trim().to_owned();
            e.text(item, 1, MAX_ITEM_CHARS, &format!("{ptr}/{i}"));
        }
    }
    trim_opt(&mut c.code_word);
    if let Some(w) = &c.code_word {
        e.text(w, 1, MAX_CODE_WORD_CHARS, "/code_word");
    }
    e.count(c.emergency_contacts.len(), "/emergency_contacts");
    for (i, ec) in c.emergency_contacts.iter_mut().enumerate() {
        ec.name = ec.name.trim().to_owned();
        ec.phone = ec.phone.trim().to_owned();
        trim_opt(&mut ec.relationship);
        let ptr = format!("/emergency_contacts/{i}");
        e.text(&ec.name, 1, MAX_NAME_CHARS, &format!("{ptr}/name"));
        e.text(&ec.phone, 1, MAX_PHONE_CHARS, &format!("{ptr}/phone"));
        if let Some(r) = &ec.relationship {
            e.text(r, 1, MAX_RELATIONSHIP_CHARS, &format!("{ptr}/relationship"));
        }
    }
    if e.0.is_empty() { Ok(c) } else { Err(e.0) }
}

fn trim_opt(v: &mut Option<String>) {
    *v = v
        .take()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
}

#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, pointer: &str, message: String) {
        self.0.push(FieldError {
            pointer: pointer.to_owned(),
            message,
        });
    }

    fn count(&mut self, n: usize, pointer: &str) {
        if n > MAX_ITEMS {
            self.push(pointer, format!("must have at most {MAX_ITEMS} items"));
        }
    }

    /// Length in characters, and no control characters other than line breaks and tabs (they
    /// would garble the exports).
    fn text(&mut self, s: &str, min: usize, max: usize, pointer: &str) {
        let n = s.chars().count();
        if !(min..=max).contains(&n) {
            self.push(pointer, format!("must be {min} to {max} characters"));
        } else if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            self.push(pointer, "must not contain control characters".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldline_wire::plans::EmergencyContact;

    #[test]
    fn trims_and_points_at_each_bad_field() {
        let mut c = SafetyPlanContent {
            warning_signs: vec!["  he drinks  ".into(), " ".into()],
            code_word: Some("   ".into()),
            ..Default::default()
        };
        c.leaving.documents = vec!["x".repeat(MAX_ITEM_CHARS + 1)];
        c.technology = vec!["a".into(); MAX_ITEMS + 1];
        c.emergency_contacts = vec![EmergencyContact {
            name: "Ann".into(),
            phone: "".into(),
            relationship: Some("sister\u{7}".into()),
        }];
        let errs = validate(c).unwrap_err();
        let pointers: Vec<&str> = errs.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            vec![
                "/warning_signs/1",
                "/leaving/documents/0",
                "/technology",
                "/emergency_contacts/0/phone",
                "/emergency_contacts/0/relationship",
            ]
        );

        let ok = validate(SafetyPlanContent {
            warning_signs: vec!["  he drinks\n and shouts ".into()],
            code_word: Some("  ".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.warning_signs, vec!["he drinks\n and shouts"]);
        assert_eq!(ok.code_word, None);
        let word = "w".repeat(MAX_CODE_WORD_CHARS + 1);
        let errs = validate(SafetyPlanContent {
            code_word: Some(word),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(errs[0].pointer, "/code_word");
    }
}
