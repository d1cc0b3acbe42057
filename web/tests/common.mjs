// Shared by the browser tests and the screenshot command: launching Debian's Chromium with a
// fresh profile, and plain API calls for setting up and checking what the browser did.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const BASE = process.env.FIELDLINE_BASE_URL ?? "http://127.0.0.1:8080";
export const PASSWORD = process.env.FIELDLINE_DEMO_PASSWORD ?? "fieldline-demo";
export const CHROMIUM = process.env.FIELDLINE_CHROMIUM ?? "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A browser context with its own fresh profile, sized like a phone (390×844). */
export async function phone(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), "fieldline-chromium-"));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    serviceWorkers: "allow",
    ...options,
  });
  const close = async () => {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { ctx, close };
}

export async function api(token, method, path, body) {
  const res = await fetch(BASE + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, body: json, headers: res.headers };
}

export async function token(email) {
  const r = await api(null, "POST", "/v1/auth/login", { email, password: PASSWORD });
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status}`);
  return r.body.access_token;
}

export async function signIn(page, email) {
  await page.goto(`${BASE}/app/`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

export async function until(what, f, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
