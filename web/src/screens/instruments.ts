// The risk screens' questions as the app shows them. Both instruments are licensed (MNADV's
// LAP, SafeLives' DASH): like the server, the app ships short labels only. Answers go in this
// order and the server scores them (api/src/contacts/screening.rs); the DASH labels are the
// server's own, word for word (tests/tests/suite/web.rs checks that they still agree).

/** The server's instrument version these labels belong to. */
export const DASH_VERSION = "dash-safelives-2009";

/** DASH risk checklist (SafeLives), 24 questions, in the server's order. */
export const DASH_QUESTIONS = [
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
