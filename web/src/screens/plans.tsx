// Safety plans: find a person among your contacts (by pseudonym, every page of them), view and
// edit their plan, hand over a discreet copy. Saving sends If-Match, so two advocates cannot
// silently overwrite each other; unsaved edits are not left without a question.

import { useEffect, useState } from "preact/hooks";
import { Problem, call, get, getText, type Schema } from "../api";
import { errorText, useFieldErrors } from "../fielderrors";
import { When } from "../time";
import { mayLeave, setLeaveGuard } from "../nav";

type Content = Schema<"SafetyPlanContent">;
type Person = Pick<Schema<"ContactSummary">, "person_id" | "pseudonym">;

/** The plan's lists the editor shows, one text area each. */
type Section = "warning_signs" | "safe_places" | "children" | "technology" | "work_or_school" | "support_and_self_care";
const SECTIONS: [Section, string][] = [
  ["warning_signs", "Warning signs"],
  ["safe_places", "Safe places"],
  ["children", "Children"],
  ["technology", "Phone and technology"],
  ["work_or_school", "Work or school"],
  ["support_and_self_care", "Support and self-care"],
];

export function Plans() {
  const [people, setPeople] = useState<Person[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [person, setPerson] = useState<Person | null>(null);
  const [q, setQ] = useState("");
  const [error, setError] = useState("");
  /** A page of contacts (newest first), their people added once each. */
  const more = (cursor: string | null) =>
    get<Schema<"ContactList">>(`/v1/contacts?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)
      .then((r) => {
        setPeople((shown) => {
          const seen = new Map<string, Person>((shown ?? []).map((p) => [p.person_id, p]));
          r.contacts.forEach((c) => seen.has(c.person_id) || seen.set(c.person_id, c));
          return [...seen.values()];
        });
        setNext(r.next_cursor ?? null);
      })
      .catch((e) => setError(errorText(e)));
  useEffect(() => {
    more(null);
  }, []);
  if (person) return <PlanEditor person={person} onBack={() => setPerson(null)} />;
  const needle = q.trim().toLowerCase();
  const shown = (people ?? []).filter((p) => !needle || p.pseudonym.toLowerCase().includes(needle));
  return (
    <section>
      <h1>Safety plans</h1>
      {error && <p class="error">{error}</p>}
      {!people && !error && <p role="status">Loading…</p>}
      {people?.length === 0 && <p>No contacts yet.</p>}
      {!!people?.length && (
        <label>
          Find a person (pseudonym)
          <input type="search" value={q} autocomplete="off" onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        </label>
      )}
      {people && <p class="muted" data-test="people-count">{`${shown.length} of ${people.length} people${next ? " loaded" : ""}`}</p>}
      <ul class="list">
        {shown.map((p) => (
          <li key={p.person_id}>
            <button class="row" onClick={() => setPerson(p)}>
              {p.pseudonym}
            </button>
          </li>
        ))}
      </ul>
      {next && <button onClick={() => more(next)}>Show older contacts</button>}
    </section>
  );
}

/** Hands a plan's discreet export (no agency name, a neutral file name) to the phone as a
 *  download, from memory: nothing is cached and no URL names the person. */
async function download(personId: string, kind: "txt" | "html") {
  const text = await getText(`/v1/persons/${personId}/safety-plan/export.${kind}`);
  const url = URL.createObjectURL(new Blob([text], { type: kind === "txt" ? "text/plain" : "text/html" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = `plan.${kind}`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function PlanEditor({ person, onBack }: { person: Person; onBack: () => void }) {
  const personId = person.person_id;
  const [content, setContent] = useState<Partial<Content> | null>(null);
  const [dirty, setDirty] = useState(false);
  // Unsaved edits are not lost to a tab change or "← People" without a question.
  useEffect(() => {
    setLeaveGuard(dirty ? () => `Your changes to ${person.pseudonym}'s plan are not saved. Leave without saving?` : null);
    return () => setLeaveGuard(null);
  }, [dirty]);
  const [version, setVersion] = useState<number | null>(null);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const [msg, setMsg] = useState("");
  // Each list's problems ("/safe_places/2") under its text area, by line.
  const fe = useFieldErrors([...SECTIONS.map(([k]) => `/${k}`), "/code_word"], { lines: true });
  useEffect(() => {
    get<Schema<"SafetyPlan">>(`/v1/persons/${personId}/safety-plan`)
      .then((p) => (setContent(p.content), setVersion(p.version), setSavedAt(p.saved_at)))
      .catch((e) => {
        if (e instanceof Problem && e.status === 404) setContent({});
        else setMsg(errorText(e));
      });
  }, [personId]);

  async function save(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const lines = (k: string) =>
      String(f.get(k) ?? "")
        .split("\n")
        .map((x) => x.trim())
        .filter(Boolean);
    const next: Partial<Content> = { ...content, code_word: String(f.get("code_word") ?? "").trim() || null };
    for (const [k] of SECTIONS) next[k] = lines(k);
    try {
      const r = await call<Schema<"SafetyPlan">>("PUT", `/v1/persons/${personId}/safety-plan`, next, version === null ? {} : { "if-match": `"${version}"` });
      setContent(r.body.content);
      setVersion(r.body.version);
      setSavedAt(r.body.saved_at);
      setDirty(false);
      fe.clear();
      setMsg(`Saved (version ${r.body.version}).`);
    } catch (err) {
      if (err instanceof Problem && err.status === 412) setMsg("Someone else saved this plan meanwhile. Go back and open it again to see their version.");
      else setMsg(fe.fromError(err) ? "" : errorText(err));
    }
  }

  return (
    <section>
      <button class="link back" onClick={() => mayLeave() && onBack()}>
        ← People
      </button>
      <h1>Safety plan for {person.pseudonym}</h1>
      {version !== null && (
        <p class="muted" data-test="plan-version">
          Version {version}, saved <When iso={savedAt} />
        </p>
      )}
      {version !== null && (
        <div class="actions">
          <button onClick={() => download(personId, "txt").catch((e) => setMsg(errorText(e)))}>Discreet copy (text)</button>
          <button onClick={() => download(personId, "html").catch((e) => setMsg(errorText(e)))}>Printable page</button>
        </div>
      )}
      {content && (
        // Uncontrolled fields (what was typed stays through re-renders), fresh after a save.
        <form class="card" key={version ?? "new"} onSubmit={save} onInput={() => setDirty(true)} ref={fe.form}>
          {SECTIONS.map(([k, l]) => (
            <label key={k}>
              {l} (one per line)
              <textarea name={k} rows={3} defaultValue={(content[k] ?? []).join("\n")} {...fe.field(`/${k}`)} />
              {fe.message(`/${k}`)}
            </label>
          ))}
          <label>
            Code word
            <input name="code_word" defaultValue={content.code_word ?? ""} autocomplete="off" {...fe.field("/code_word")} />
            {fe.message("/code_word")}
          </label>
          {fe.summary()}
          <button class="primary">Save plan</button>
        </form>
      )}
      {msg && <p role="status">{msg}</p>}
    </section>
  );
}
