// Runs the client against `company-access serve --demo` on a fresh SQLite data dir: the binary from
// COMPANY_ACCESS_BIN, default ../../target/debug/company-access (`cargo build -p company-access` first).
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import {
  createCompanyAccessClient,
  ProblemError,
  type CompanyAccessClient,
  type Problem,
} from "../src/index.js";

// This file runs as dist/test/client.test.js, four levels below the repository root.
const binary =
  process.env.COMPANY_ACCESS_BIN ??
  fileURLToPath(new URL("../../../../target/debug/company-access", import.meta.url));
const missing = existsSync(binary)
  ? undefined
  : `no server binary at ${binary}: run cargo build -p company-access, or set COMPANY_ACCESS_BIN`;
// CI builds the binary before this step, so there a missing one is a failure rather than a skip.
const skip = missing !== undefined && process.env.CI !== "true" ? missing : false;

const STARTUP_TIMEOUT_MS = 60_000;

interface Server {
  baseUrl: string;
  token: string;
  process: ChildProcess;
  dataDir: string;
}

async function startServer(): Promise<Server> {
  const dataDir = await mkdtemp(join(tmpdir(), "company-access-ts-"));
  const token = `ts-test-${randomBytes(16).toString("hex")}`;
  // The caller's own server settings (a PostgreSQL DATABASE_URL, say) must not leak into the test server.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith("COMPANY_ACCESS_") && name !== "DATABASE_URL",
    ),
  );
  const child = spawn(binary, ["serve", "--demo"], {
    env: {
      ...env,
      COMPANY_ACCESS_BIND: "127.0.0.1:0",
      COMPANY_ACCESS_DATA_DIR: dataDir,
      COMPANY_ACCESS_MASTER_KEY: token,
      NO_COLOR: "1",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });

  const log: string[] = [];
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`server not listening after ${STARTUP_TIMEOUT_MS} ms:\n${log.join("\n")}`));
    }, STARTUP_TIMEOUT_MS);
    // Read for the server's whole life: a full stderr pipe would block its logging.
    createInterface({ input: child.stderr! }).on("line", (line) => {
      log.push(line);
      const match = /Listening on (http:\/\/[0-9.:[\]a-z]+)/.exec(line);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${log.join("\n")}`));
    });
  });
  return { baseUrl, token, process: child, dataDir };
}

async function stopServer(server: Server): Promise<void> {
  if (server.process.exitCode === null && server.process.signalCode === null) {
    const exited = new Promise((resolve) => server.process.once("exit", resolve));
    server.process.kill("SIGTERM");
    await exited;
  }
  await rm(server.dataDir, { recursive: true, force: true });
}

describe("against a real server", { skip }, () => {
  let server: Server | undefined;
  let api: CompanyAccessClient;

  before(async () => {
    if (missing !== undefined) {
      throw new Error(missing);
    }
    server = await startServer();
    api = createCompanyAccessClient({ baseUrl: server.baseUrl, token: server.token });
  });

  after(async () => {
    if (server !== undefined) {
      await stopServer(server);
    }
  });

  test("grant, check and revoke a company for sarah", async () => {
    const { data: users, error } = await api.GET("/users");
    assert.equal(error, undefined);
    const sarah = users?.items.find((user) => user.username === "sarah");
    assert.ok(sarah, "the demo data has sarah");
    assert.equal(sarah.id, 5);
    assert.deepEqual(await api.findUser("SARAH"), sarah);

    const { data: companies } = await api.GET("/companies", { params: { query: { name: "NYC" } } });
    const nyc = companies?.items[0];
    assert.ok(nyc, "the demo data has NYC");

    const granted = await api.grantCompany(sarah.id, nyc.id);
    assert.equal(granted.company_id, nyc.id);
    assert.equal(granted.company_name, "NYC");
    assert.equal(granted.source, "grant");
    assert.equal(granted.is_default, true, "a user's first company becomes the default");

    const allowed = await api.checkAccess(sarah.id, nyc.id);
    assert.deepEqual(allowed, {
      user_id: sarah.id,
      company_id: nyc.id,
      allowed: true,
      reason: "grant",
      role: "hr_manager",
      via_company_id: nyc.id,
    });
    const listed = await api.allowedCompanies(sarah.id);
    assert.deepEqual(
      listed.items.map((company) => company.company_name),
      ["NYC"],
    );

    await api.revokeCompany(sarah.id, nyc.id);
    const denied = await api.checkAccess(sarah.id, nyc.id);
    assert.equal(denied.allowed, false);
    assert.equal(denied.reason, "no_grant");
    assert.equal(denied.role, null);
  });

  test("a second grant of the same company throws the typed problem", async () => {
    const sarah = await api.findUser("sarah");
    assert.ok(sarah);
    const { data: companies } = await api.GET("/companies", { params: { query: { name: "LA" } } });
    const la = companies?.items[0];
    assert.ok(la);
    await api.grantCompany(sarah.id, la.id);

    await assert.rejects(api.grantCompany(sarah.id, la.id), (thrown: unknown) => {
      assert.ok(thrown instanceof ProblemError);
      assert.equal(thrown.problem.status, 409);
      assert.equal(thrown.problem.code, "already_has_access");
      return true;
    });
    await api.revokeCompany(sarah.id, la.id);
  });

  test("an unknown user is a typed 404 problem", async () => {
    const { data, error, response } = await api.GET("/users/{id}", {
      params: { path: { id: 999_999 } },
    });
    assert.equal(data, undefined);
    assert.equal(response.status, 404);
    assert.equal(response.headers.get("content-type"), "application/problem+json");
    // Typed as the document's Problem: a wrong field name or code here would not compile.
    const problem: Problem | undefined = error;
    assert.equal(problem?.status, 404);
    assert.equal(problem?.code, "user_not_found");
    assert.equal(problem?.detail, "User not found");

    await assert.rejects(api.allowedCompanies(999_999), (thrown: unknown) => {
      assert.ok(thrown instanceof ProblemError);
      assert.equal(thrown.problem.code, "user_not_found");
      assert.equal(thrown.problem.status, 404);
      return true;
    });
  });

  test("a wrong key is a typed 401 problem", async () => {
    const intruder = createCompanyAccessClient({
      baseUrl: server!.baseUrl,
      token: "not-the-key-at-all",
    });
    await assert.rejects(intruder.checkAccess(5, "00000000-0000-0000-0000-000000000000"), (thrown: unknown) => {
      assert.ok(thrown instanceof ProblemError);
      assert.equal(thrown.problem.status, 401);
      assert.equal(thrown.problem.code, "unauthorized");
      return true;
    });
  });

  test("requests go through the fetch passed in", async () => {
    const seen: string[] = [];
    const traced = createCompanyAccessClient({
      baseUrl: server!.baseUrl,
      token: server!.token,
      fetch: (request) => {
        seen.push(`${request.method} ${new URL(request.url).pathname}`);
        return fetch(request);
      },
    });
    const decision = await traced.checkAccess(999_999, "00000000-0000-0000-0000-000000000000");
    assert.equal(decision.reason, "unknown_user");
    assert.deepEqual(seen, ["GET /access-check"]);
  });
});
