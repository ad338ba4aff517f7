import createClient, { type Client, type ClientOptions } from "openapi-fetch";

import type { components, paths } from "./schema.js";

export type { components, operations, paths } from "./schema.js";

type Schemas = components["schemas"];
export type AccessDecision = Schemas["AccessDecision"];
export type Company = Schemas["Company"];
export type Problem = Schemas["Problem"];
export type ProblemCode = Schemas["ProblemCode"];
export type User = Schemas["User"];
export type UserCompanies = Schemas["UserCompanies"];
export type UserCompany = Schemas["UserCompany"];

export interface CompanyAccessOptions {
  /** Where the service answers, e.g. `https://access.example.com`. */
  baseUrl: string;
  /** An API key: the master key or one made through `/keys`. */
  token: string;
  /** Defaults to `globalThis.fetch`; pass one to add retries, tracing or a test double. */
  fetch?: ClientOptions["fetch"];
}

/** A problem body (RFC 9457) the service answered with, thrown by the helpers. */
export class ProblemError extends Error {
  override readonly name = "ProblemError";
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.problem = problem;
  }
}

export interface CompanyAccessHelpers {
  /** Every company the user may act in, default first; `all_companies` is true for super admins. */
  allowedCompanies(userId: number): Promise<UserCompanies>;
  /** Never throws for an unknown user or company: the decision says `allowed: false` and why. */
  checkAccess(userId: number, companyId: string): Promise<AccessDecision>;
  /** The user with exactly this username (any letter case), or `undefined`. */
  findUser(username: string): Promise<User | undefined>;
  /** Throws a `ProblemError` with code `already_has_access` when the user has it. */
  grantCompany(userId: number, companyId: string): Promise<UserCompany>;
  revokeCompany(userId: number, companyId: string): Promise<void>;
}

/** The openapi-fetch client (`GET`, `POST`, … typed by the document) plus the helpers. */
export type CompanyAccessClient = Client<paths> & CompanyAccessHelpers;

function isProblem(body: unknown): body is Problem {
  return (
    typeof body === "object" &&
    body !== null &&
    typeof (body as Problem).code === "string" &&
    typeof (body as Problem).status === "number" &&
    typeof (body as Problem).detail === "string"
  );
}

/**
 * What a helper throws for an error answer: the typed problem body when the service sent one. Helpers test
 * `response.ok` as well as `error`, since openapi-fetch leaves `error` undefined for an error without a body.
 */
function failure(body: unknown, response: Response): Error {
  if (isProblem(body)) {
    return new ProblemError(body);
  }
  // Not the service speaking (a proxy or gateway page, say): there is no problem body to type.
  return new Error(`${response.url} answered ${response.status} ${response.statusText} without a problem body`);
}

export function createCompanyAccessClient({
  baseUrl,
  token,
  fetch,
}: CompanyAccessOptions): CompanyAccessClient {
  const client = createClient<paths>({
    baseUrl,
    fetch,
    headers: { Authorization: `Bearer ${token}` },
  });

  const helpers: CompanyAccessHelpers = {
    async allowedCompanies(userId) {
      const { data, error, response } = await client.GET("/users/{id}/companies", {
        params: { path: { id: userId } },
      });
      if (error !== undefined || !response.ok) throw failure(error, response);
      return data;
    },

    async checkAccess(userId, companyId) {
      const { data, error, response } = await client.GET("/access-check", {
        params: { query: { user_id: userId, company_id: companyId } },
      });
      if (error !== undefined || !response.ok) throw failure(error, response);
      return data;
    },

    async findUser(username) {
      const { data, error, response } = await client.GET("/users", {
        params: { query: { username } },
      });
      if (error !== undefined || !response.ok) throw failure(error, response);
      return data.items[0];
    },

    async grantCompany(userId, companyId) {
      const { data, error, response } = await client.POST("/users/{id}/companies", {
        params: { path: { id: userId } },
        body: { company_id: companyId },
      });
      if (error !== undefined || !response.ok) throw failure(error, response);
      // The route answers a `company_ids` body with another shape, and the document types both answers as one
      // union; a single `company_id` always gets the grant itself.
      if ("added" in data) {
        throw new Error("POST /users/{id}/companies answered a single grant with a many-grant result");
      }
      return data;
    },

    async revokeCompany(userId, companyId) {
      const { error, response } = await client.DELETE("/users/{id}/companies/{company_id}", {
        params: { path: { id: userId, company_id: companyId } },
      });
      if (error !== undefined || !response.ok) throw failure(error, response);
    },
  };

  return Object.assign(client, helpers);
}
