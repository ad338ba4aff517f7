// What the page knows right now, shared by its parts, and the names it has learnt on the way.

export const state = {
  key: null,
  whoami: null,
  // The username a key bound to a user acts for; null for an unbound key.
  delegate: null,
  canRead: false,
  canWrite: false,
  tab: 'users',
  user: null,             // the selected user (User or UserRef shape)
  userCompanies: null,    // last GET /users/{id}/companies answer
  userSeq: 0,
  available: [],          // companies of the add panel (current filter)
  availableTotal: 0,
  availableQuery: '',
  availableSeq: 0,
  selected: new Map(),    // company_id -> name, ticked for "Add selected"
  addErrors: new Map(),   // company_id -> message beside a row of the add panel
  currentErrors: new Map(), // company_id -> message beside a row of the current companies
  busy: new Set(),        // company ids with a request in flight
  undo: null,
  companyNames: new Map(),
  userNames: new Map(),
  company: null,
  membersOffset: 0,
  membersTotal: 0,
  companySeq: 0,
  csvUrl: null,
  stats: null,
  statsSeq: 0
};

export function rememberCompany(id, name) { if (id && name) state.companyNames.set(id, name); }
export function rememberUser(u) { if (u && u.id !== undefined) state.userNames.set(u.id, u); }

export function grantItems() {
  return state.userCompanies ? state.userCompanies.items.filter(function (i) { return i.source === 'grant'; }) : [];
}
