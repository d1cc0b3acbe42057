// Safety plans: pick a person from your contacts (by pseudonym), view and edit their plan.
// Saving sends If-Match, so two advocates cannot silently overwrite each other.

import { useEffect, useState } from "preact/hooks";
import { Problem, call, errorText, get, type Schema } from "../api";

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
  const [person, setPerson] = useState<string | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    get<Schema<"ContactList">>("/v1/contacts")
      .then((r) => {
        const seen = new Map<string, Person>();
        r.contacts.forEach((c) => seen.set(c.person_id, c));
        setPeople([...seen.values()]);
      })
      .catch((e) => setError(errorText(e)));
  }, []);
  if (person) return <PlanEditor personId={person} onBack={() => setPerson(null)} />;
  return (
    <section>
      <h1>Safety plans</h1>
      {error && <p class="error">{error}</p>}
      {people?.length === 0 && <p>No contacts yet.</p>}
      <ul class="list">
        {people?.map((p) => (
          <li key={p.person_id}>
            <button class="row" onClick={() => setPerson(p.person_id)}>
              {p.pseudonym}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function PlanEditor({ personId, onBack }: { personId: string; onBack: () => void }) {
  const [content, setContent] = useState<Partial<Content> | null>(null);
  const [version, setVersion] = useState<number | null>(null);
  const [msg, setMsg] = useState("");
  useEffect(() => {
    get<Schema<"SafetyPlan">>(`/v1/persons/${personId}/safety-plan`)
      .then((p) => (setContent(p.content), setVersion(p.version)))
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
      setMsg(`Saved (version ${r.body.version}).`);
    } catch (err) {
      setMsg(
        err instanceof Problem && err.status === 412
          ? "Someone else saved this plan meanwhile. Go back and open it again to see their version."
          : errorText(err),
      );
    }
  }

  return (
    <section>
      <button class="link" onClick={onBack}>
        ← People
      </button>
      <h1>Safety plan</h1>
      {version !== null && <p class="muted">Version {version}</p>}
      {content && (
        <form class="card" onSubmit={save}>
          {SECTIONS.map(([k, l]) => (
            <label key={k}>
              {l} (one per line)
              <textarea name={k} rows={3} value={(content[k] ?? []).join("\n")} />
            </label>
          ))}
          <label>
            Code word
            <input name="code_word" value={content.code_word ?? ""} autocomplete="off" />
          </label>
          <button class="primary">Save plan</button>
        </form>
      )}
      {msg && <p role="status">{msg}</p>}
    </section>
  );
}
