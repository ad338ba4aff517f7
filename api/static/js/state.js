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
  addressSeq: 0,          // the user an address asked for last (a reload, Back)
  available: [],          // companies of the add panel (current filter)
  availableTotal: 0,
  availableQuery: '',
  availableSeq: 0,
  selected: new Map(),    // company_id -> name, ticked for "Add selected"
  addMessages: new Map(),     // company_id -> {text, kind}: the message beside a row of the add panel
  currentMessages: new Map(), // company_id -> {text, kind}: the message beside a row of the current companies
  removed: new Map(),     // company_id -> {item, index}: removed this visit, kept in place with an Undo
  confirmRemove: null,    // company_id of the default company whose removal waits for a second word
  confirmArmedAt: 0,      // when its "Remove anyway" starts taking clicks (not the second click of a double click)
  busy: new Set(),        // company ids with a request in flight
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
