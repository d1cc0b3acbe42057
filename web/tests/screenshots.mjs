// Screenshots of the main screens at phone size (390×844) into docs/screenshots/, and the
// first-load measurements into docs/screenshots/metrics.json. Run by scripts/screenshots
// against a server with the demo data (scripts/run).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { BASE, api, phone, signIn, token } from "./common.mjs";

const out = new URL("../../docs/screenshots/", import.meta.url);
mkdirSync(out, { recursive: true });
const shot = (page, name) => page.screenshot({ path: new URL(`${name}.png`, out).pathname });

async function measure() {
  // A cold load on a throttled profile (Lighthouse's mobile preset: 150 ms RTT, 1.6 Mbit/s
  // down, 750 kbit/s up, CPU 4× slower), until the sign-in form takes input.
  const { ctx, close } = await phone({ deviceScaleFactor: 1 });
  try {
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 150,
      downloadThroughput: (1.6 * 1024 * 1024) / 8,
      uploadThroughput: (750 * 1024) / 8,
    });
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    const t0 = Date.now();
    await page.goto(`${BASE}/app/`, { waitUntil: "commit" });
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    const interactive = Date.now() - t0;
    const fcp = await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null);
    return { throttling: "150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up, CPU 4x", interactive_ms: interactive, first_contentful_paint_ms: fcp && Math.round(fcp) };
  } finally {
    await close();
  }
}

async function coordinator() {
  const adv = await token("advocate@demo.fieldline.test");
  await api(adv, "POST", "/v1/alerts", { id: crypto.randomUUID(), kind: "next_of_kin", details: "Family at the county hospital, room 4 (invented demo text)" });
  const { ctx, close } = await phone();
  try {
    await ctx.grantPermissions(["notifications"], { origin: BASE });
    const page = await ctx.newPage();
    await page.goto(`${BASE}/app/`);
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await shot(page, "01-sign-in");
    await signIn(page, "coordinator@demo.fieldline.test");
    await page.getByRole("heading", { name: "Open alerts" }).waitFor();
    await page.locator(".list .row").first().waitFor();
    await shot(page, "02-coordinator-inbox");
    await page.locator(".list .row").first().click();
    await page.getByRole("heading", { name: "Timeline" }).waitFor();
    await shot(page, "03-alert-detail");
    // A colleague takes the next shift's first hours, so the screen shows a name.
    const coord = await token("coordinator@demo.fieldline.test");
    const colleague = (await api(await token("coordinator2@demo.fieldline.test"), "GET", "/v1/me")).body;
    for (const s of (await api(coord, "GET", "/v1/oncall/schedules")).body.schedules) {
      const now = (await api(coord, "GET", `/v1/oncall/schedules/${s.id}/on-call`)).body;
      if (!now.end) continue;
      const end = new Date(Date.parse(now.end) + 4 * 3600_000).toISOString();
      await api(coord, "POST", `/v1/oncall/schedules/${s.id}/overrides`, { user_id: colleague.id, start_at: now.end, end_at: end });
    }
    await page.getByRole("button", { name: "On call" }).click();
    await page.getByRole("heading", { name: "The next 7 days" }).first().waitFor();
    await page.locator("[data-test=next]").first().waitFor();
    await shot(page, "04-on-call");
  } finally {
    await close();
  }
}

async function housing() {
  const { ctx, close } = await phone();
  try {
    const page = await ctx.newPage();
    await signIn(page, "housing@demo.fieldline.test");
    await page.locator("table.directory tbody tr").first().waitFor();
    await shot(page, "05-directory");
    await page.getByRole("button", { name: "Import CSV / HSDS" }).click();
    await page.getByLabel("File").setInputFiles({
      name: "places.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(
        "external_id,name,kind,latitude,longitude,intake_phone,time_zone,status\n" +
          "x-1,Harbor House,shelter,40.25,-111.65,801-555-0101,America/Denver,open\n" +
          "x-2,Ridge Shelter,shelter,north,-111.66,801-555-0102,America/Denver,opn\n",
      ),
    });
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.locator(".import-errors").waitFor();
    await shot(page, "06-import-errors");
    // A problem at its field, in plain words (the field focused, so on screen).
    await page.getByRole("button", { name: "Back to the directory" }).click();
    await page.locator("table.directory tbody tr").first().waitFor();
    await page.getByRole("button", { name: "Edit", exact: true }).first().click();
    await page.getByLabel("Latitude").fill("40.2338 N");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.locator("[data-error-for='/location/latitude']").waitFor();
    await shot(page, "11-field-problem");
  } finally {
    await close();
  }
}

async function advocate() {
  const { ctx, close } = await phone();
  try {
    const page = await ctx.newPage();
    await signIn(page, "advocate@demo.fieldline.test");
    await page.getByRole("button", { name: "Type a place" }).click();
    await page.getByLabel("ZIP code").fill("84601");
    await page.getByRole("button", { name: "Find", exact: true }).click();
    await page.locator(".place").first().waitFor();
    await shot(page, "07-nearby");
    await page.getByRole("button", { name: "Contact" }).click();
    await page.getByLabel("Pseudonym (shown in lists)").fill("Willow 12");
    await page.getByText("Lethality screen (LAP)").click();
    await shot(page, "08-contact-lap");
    await page.getByText("Lethality screen (LAP)").click();
    await page.getByText("DASH risk checklist", { exact: true }).click();
    const groups = page.locator("fieldset.dash [role=radiogroup]");
    for (let i = 0; i < 24; i++) await groups.nth(i).getByLabel(i < 14 ? "yes" : "no", { exact: true }).check();
    await page.getByRole("button", { name: "Save contact" }).click();
    await page.locator("[data-test=dash-result]").waitFor();
    await page.locator("[data-test=dash-result]").scrollIntoViewIfNeeded();
    await shot(page, "10-contact-dash");
    await page.getByRole("button", { name: "Check-in" }).click();
    await page.getByRole("button", { name: "Check in" }).click();
    await page.locator(".countdown").waitFor();
    await shot(page, "09-check-in");
    await page.getByRole("button", { name: "Check out" }).click();
    // Duress without signal: queued, said plainly, the numbers to call beside it.
    await page.getByRole("button", { name: "Contact" }).click();
    await ctx.setOffline(true);
    await page.locator(".bar .duress").click();
    await page.getByRole("button", { name: "Send duress alert now" }).click();
    await page.locator(".sheet [data-test=duress-result][data-state=queued]").waitFor();
    await shot(page, "12-duress-offline");
    // Back online it is sent (the demo coordinator gets it).
    await ctx.setOffline(false);
    await page.locator(".sheet [data-test=duress-result][data-state=sent]").waitFor();
  } finally {
    await close();
  }
}

const metrics = await measure();
await coordinator();
await housing();
await advocate();
const size = JSON.parse(readFileSync(new URL("../dist/size.json", import.meta.url), "utf8"));
writeFileSync(new URL("metrics.json", out), JSON.stringify({ bundle: size, load: metrics }, null, 2) + "\n");
console.log(JSON.stringify({ bundle: size, load: metrics }));
