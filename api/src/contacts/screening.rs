//! Scoring the risk screens, by the rules in `design.md` ("Risk screening rules"). Only short
//! question labels ship with Fieldline: both instruments are licensed programs (MNADV's LAP,
//! SafeLives' DASH), and an agency holding the licence loads the full wording as configuration.
//! Each result records the version of these rules, so a later change never rewrites what an
//! advocate was told at the scene.

use fieldline_wire::FieldError;
use fieldline_wire::screening::{
    Answer, Instrument, LapOutcome, RiskLevel, ScreeningInput, ScreeningResult,
};

pub const LAP_VERSION: &str = "lap-md-2";
pub const DASH_VERSION: &str = "dash-safelives-2009";

/// Short labels, in question order.
pub const LAP_QUESTIONS: [&str; 11] = [
    "used or threatened with a weapon",
    "threatened to kill you or your children",
    "you think they might try to kill you",
    "has or can easily get a gun",
    "has ever tried to choke or strangle you",
    "violently or constantly jealous, controls daily activities",
    "you have left or separated after living together or being married",
    "unemployed",
    "has ever tried to kill themselves",
    "you have a child they know is not theirs",
    "follows or spies on you, or leaves threatening messages",
];

pub const DASH_QUESTIONS: [&str; 24] = [
    "current incident resulted in injury",
    "very frightened",
    "afraid of what the abuser might do, e.g. kill or hurt",
    "feels isolated from family or friends",
    "feeling depressed or having suicidal thoughts",
    "separated or tried to separate in the past year",
    "conflict over child contact",
    "abuser constantly texts, calls, contacts, follows, stalks or harasses",
    "pregnant or recently had a baby",
    "abuse happening more often",
    "abuse getting worse",
    "abuser tries to control everything or is excessively jealous",
    "abuser has used weapons or objects to hurt",
    "abuser has ever threatened to kill you or someone else",
    "abuser has ever attempted to strangle, choke, suffocate or drown you",
    "abuser does or says sexual things that hurt or degrade",
    "another person has threatened you or you fear them",
    "abuser has hurt anyone else",
    "abuser has mistreated an animal or family pet",
    "financial issues, e.g. dependence or loss of job",
    "abuser has had problems with alcohol, drugs or mental health",
    "abuser has threatened or attempted suicide",
    "abuser has breached bail, an injunction or a formal agreement",
    "abuser known to have been in trouble with the police or a criminal history",
];

/// Scores a screening, or says which fields are wrong. Pure: the same input always gives
/// the same result.
pub fn score(input: &ScreeningInput) -> Result<ScreeningResult, Vec<FieldError>> {
    let mut errs = Vec::new();
    let expected = match input.instrument {
        Instrument::Lap => LAP_QUESTIONS.len(),
        Instrument::Dash => DASH_QUESTIONS.len(),
    };
    if input.answers.len() != expected {
        errs.push(field(
            "/answers",
            &format!("must have exactly {expected} answers"),
        ));
    }
    let reason_ok = |r: &Option<String>| {
        r.as_deref()
            .is_none_or(|r| !r.trim().is_empty() && r.chars().count() <= 2000)
    };
    if !reason_ok(&input.screen_in_by_belief) {
        errs.push(field(
            "/screen_in_by_belief",
            "must be a reason of 1 to 2000 characters",
        ));
    }
    if !reason_ok(&input.no_alert_reason) {
        errs.push(field(
            "/no_alert_reason",
            "must be a reason of 1 to 2000 characters",
        ));
    }
    if let Some(j) = &input.professional_judgement
        && (j.reason.trim().is_empty() || j.reason.chars().count() > 2000)
    {
        errs.push(field(
            "/professional_judgement/reason",
            "must be a reason of 1 to 2000 characters",
        ));
    }
    match input.instrument {
        Instrument::Lap if input.professional_judgement.is_some() => {
            errs.push(field(
                "/professional_judgement",
                "applies to DASH; the LAP uses screen_in_by_belief",
            ));
        }
        Instrument::Dash if input.screen_in_by_belief.is_some() => {
            errs.push(field(
                "/screen_in_by_belief",
                "applies to the LAP; DASH uses professional_judgement",
            ));
        }
        _ => {}
    }
    if !errs.is_empty() {
        return Err(errs);
    }

    let yes = |range: std::ops::Range<usize>| {
        input.answers[range]
            .iter()
            .filter(|a| **a == Answer::Yes)
            .count() as u32
    };
    let result = match input.instrument {
        Instrument::Lap => {
            // Screens in on any of Q1-Q3, or on at least four of Q4-Q11.
            let protocol = yes(0..3) > 0 || yes(3..11) >= 4;
            let outcome = if protocol {
                LapOutcome::ScreenedInProtocol
            } else if input.screen_in_by_belief.is_some() {
                LapOutcome::ScreenedInBelief
            } else {
                LapOutcome::NotScreenedIn
            };
            let high = outcome != LapOutcome::NotScreenedIn;
            ScreeningResult {
                instrument: Instrument::Lap,
                instrument_version: LAP_VERSION.to_owned(),
                yes_count: yes(3..11),
                lap_outcome: Some(outcome),
                risk_level: None,
                scored_level: None,
                high_risk: high,
                alert_required: high && input.no_alert_reason.is_none(),
            }
        }
        Instrument::Dash => {
            let count = yes(0..24);
            let scored = match count {
                14.. => RiskLevel::High,
                10..=13 => RiskLevel::Medium,
                _ => RiskLevel::Standard,
            };
            // Judgement may raise the level, never lower it.
            let level = input
                .professional_judgement
                .as_ref()
                .map_or(scored, |j| j.level.max(scored));
            let high = level == RiskLevel::High;
            ScreeningResult {
                instrument: Instrument::Dash,
                instrument_version: DASH_VERSION.to_owned(),
                yes_count: count,
                lap_outcome: None,
                risk_level: Some(level),
                scored_level: Some(scored),
                high_risk: high,
                alert_required: high && input.no_alert_reason.is_none(),
            }
        }
    };
    Ok(result)
}

fn field(pointer: &str, message: &str) -> FieldError {
    FieldError {
        pointer: pointer.to_owned(),
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Answer::{No, NotAnswered, Yes};
    use fieldline_wire::screening::Judgement;
    use proptest::prelude::*;

    fn lap(answers: [Answer; 11]) -> ScreeningInput {
        ScreeningInput {
            instrument: Instrument::Lap,
            answers: answers.to_vec(),
            screen_in_by_belief: None,
            professional_judgement: None,
            no_alert_reason: None,
        }
    }

    fn dash_with(yes_count: usize) -> ScreeningInput {
        let answers = (0..24)
            .map(|i| if i < yes_count { Yes } else { No })
            .collect();
        ScreeningInput {
            instrument: Instrument::Dash,
            answers,
            screen_in_by_belief: None,
            professional_judgement: None,
            no_alert_reason: None,
        }
    }

    fn outcome(i: &ScreeningInput) -> LapOutcome {
        score(i).unwrap().lap_outcome.unwrap()
    }

    #[test]
    fn lap_question_one_alone_screens_in() {
        let mut a = [No; 11];
        a[0] = Yes;
        let r = score(&lap(a)).unwrap();
        assert_eq!(r.lap_outcome, Some(LapOutcome::ScreenedInProtocol));
        assert!(r.high_risk && r.alert_required);
        for q in 1..3 {
            let mut a = [No; 11];
            a[q] = Yes;
            assert_eq!(
                outcome(&lap(a)),
                LapOutcome::ScreenedInProtocol,
                "Q{}",
                q + 1
            );
        }
    }

    #[test]
    fn lap_three_of_four_to_eleven_is_not_enough_four_is() {
        let mut a = [No; 11];
        a[3] = Yes;
        a[5] = Yes;
        a[10] = Yes;
        assert_eq!(outcome(&lap(a)), LapOutcome::NotScreenedIn);
        assert_eq!(score(&lap(a)).unwrap().yes_count, 3);
        a[7] = Yes;
        assert_eq!(outcome(&lap(a)), LapOutcome::ScreenedInProtocol);
    }

    #[test]
    fn lap_not_answered_never_counts_as_yes() {
        let mut a = [NotAnswered; 11];
        assert_eq!(outcome(&lap(a)), LapOutcome::NotScreenedIn);
        a[3] = Yes;
        a[4] = Yes;
        a[5] = Yes;
        assert_eq!(outcome(&lap(a)), LapOutcome::NotScreenedIn);
    }

    #[test]
    fn lap_belief_screens_in_with_a_reason_and_alert_can_be_declined() {
        let mut i = lap([No; 11]);
        i.screen_in_by_belief = Some("strangulation described at the scene".into());
        let r = score(&i).unwrap();
        assert_eq!(r.lap_outcome, Some(LapOutcome::ScreenedInBelief));
        assert!(r.alert_required);
        i.no_alert_reason = Some("coordinator already on scene".into());
        assert!(!score(&i).unwrap().alert_required);
        i.screen_in_by_belief = Some("  ".into());
        assert_eq!(score(&i).unwrap_err()[0].pointer, "/screen_in_by_belief");
    }

    #[test]
    fn dash_thirteen_is_medium_fourteen_is_high() {
        assert_eq!(
            score(&dash_with(9)).unwrap().risk_level,
            Some(RiskLevel::Standard)
        );
        assert_eq!(
            score(&dash_with(10)).unwrap().risk_level,
            Some(RiskLevel::Medium)
        );
        let thirteen = score(&dash_with(13)).unwrap();
        assert_eq!(
            (thirteen.risk_level, thirteen.high_risk),
            (Some(RiskLevel::Medium), false)
        );
        let fourteen = score(&dash_with(14)).unwrap();
        assert_eq!(
            (
                fourteen.risk_level,
                fourteen.high_risk,
                fourteen.alert_required
            ),
            (Some(RiskLevel::High), true, true)
        );
    }

    #[test]
    fn dash_judgement_raises_but_never_lowers() {
        let mut i = dash_with(3);
        i.professional_judgement = Some(Judgement {
            level: RiskLevel::High,
            reason: "escalating threats".into(),
        });
        let r = score(&i).unwrap();
        assert_eq!(
            (r.scored_level, r.risk_level, r.high_risk),
            (Some(RiskLevel::Standard), Some(RiskLevel::High), true)
        );
        let mut i = dash_with(20);
        i.professional_judgement = Some(Judgement {
            level: RiskLevel::Standard,
            reason: "seems calm".into(),
        });
        assert_eq!(score(&i).unwrap().risk_level, Some(RiskLevel::High));
    }

    #[test]
    fn malformed_screenings_are_field_errors() {
        let mut i = lap([No; 11]);
        i.answers.pop();
        assert_eq!(score(&i).unwrap_err()[0].pointer, "/answers");
        let mut i = dash_with(2);
        i.screen_in_by_belief = Some("x".into());
        assert_eq!(score(&i).unwrap_err()[0].pointer, "/screen_in_by_belief");
    }

    fn answer() -> impl Strategy<Value = Answer> {
        prop_oneof![Just(Yes), Just(No), Just(NotAnswered)]
    }

    proptest! {
        /// Turning any answer into "yes" never lowers the result.
        #[test]
        fn more_yes_never_lowers_the_result(answers in proptest::collection::vec(answer(), 24), flip in 0usize..24, dash in any::<bool>()) {
            let (instrument, n) = if dash { (Instrument::Dash, 24) } else { (Instrument::Lap, 11) };
            let flip = flip % n;
            let before = ScreeningInput { instrument, answers: answers[..n].to_vec(), screen_in_by_belief: None, professional_judgement: None, no_alert_reason: None };
            let mut after = before.clone();
            after.answers[flip] = Yes;
            let (b, a) = (score(&before).unwrap(), score(&after).unwrap());
            prop_assert!(a.yes_count >= b.yes_count);
            prop_assert!(!b.high_risk || a.high_risk);
            prop_assert!(a.risk_level >= b.risk_level);
        }

        /// The LAP rule, stated independently: Q1-Q3 any yes, or 4+ yes in Q4-Q11.
        #[test]
        fn lap_matches_the_written_rule(answers in proptest::collection::vec(answer(), 11)) {
            let i = ScreeningInput { instrument: Instrument::Lap, answers: answers.clone(), screen_in_by_belief: None, professional_judgement: None, no_alert_reason: None };
            let first = answers[..3].contains(&Yes);
            let rest = answers[3..].iter().filter(|a| **a == Yes).count();
            prop_assert_eq!(score(&i).unwrap().high_risk, first || rest >= 4);
        }

        /// DASH: the level follows the count, and judgement only ever raises it.
        #[test]
        fn dash_level_follows_the_count(yes_count in 0usize..=24, judged in proptest::option::of(prop_oneof![Just(RiskLevel::Standard), Just(RiskLevel::Medium), Just(RiskLevel::High)])) {
            let mut i = dash_with(yes_count);
            i.professional_judgement = judged.map(|level| Judgement { level, reason: "r".into() });
            let r = score(&i).unwrap();
            let scored = if yes_count >= 14 { RiskLevel::High } else if yes_count >= 10 { RiskLevel::Medium } else { RiskLevel::Standard };
            prop_assert_eq!(r.scored_level, Some(scored));
            prop_assert!(r.risk_level.unwrap() >= scored);
            prop_assert_eq!(r.risk_level.unwrap(), judged.map_or(scored, |j| j.max(scored)));
        }
    }
}
