// Redocly exits 0 when there are only warnings; the API document is held to zero of either.
import { spawnSync } from "node:child_process";

const document = "../../openapi/openapi.json";
const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_NOTIFICATIONS: "true" };
const args = ["lint", document, "--config", "redocly.yaml", "--max-problems", "1000", "--lint-config", "error"];
const run = (format) =>
  spawnSync("redocly", [...args, "--format", format], { env, encoding: "utf8", shell: false });

const report = run("json");
if (report.error) throw report.error;
let totals;
try {
  ({ totals } = JSON.parse(report.stdout));
} catch {
  process.stderr.write(report.stderr);
  console.error("Redocly gave no report");
  process.exit(2);
}
if (totals.errors + totals.warnings > 0) {
  const readable = run("stylish");
  process.stdout.write(readable.stdout);
  process.stderr.write(readable.stderr);
}
console.log(`Redocly: ${totals.errors} errors, ${totals.warnings} warnings, ${totals.ignored} ignored`);
process.exit(totals.errors + totals.warnings > 0 ? 1 : 0);
