// Readable names for the server's roles and audit actions; a value without a name here shows as it is.

// A unit test in api/src/routes/page.rs holds the keys to the server's ROLES and AUDIT_ACTIONS.
const ROLE_LABELS = {
  'super_admin': 'Super admin',
  'admin': 'Admin',
  'hr_manager': 'HR manager',
  'finance_manager': 'Finance manager',
  'employee': 'Employee'
};
const SOURCE_LABELS = {
  'grant': 'Grant',
  'branch': 'Grant of a parent company',
  'super_admin': 'Super admin role'
};
const ACTION_LABELS = {
  'access.grant': 'Granted access',
  'access.revoke': 'Removed access',
  'access.default': 'Changed default company',
  'access.update': 'Changed a grant',
  'access.bulk': 'Bulk grant',
  'access.populate': 'Populated access',
  'access.import': 'Imported access',
  'user.create': 'Created user',
  'user.update': 'Changed user',
  'user.delete': 'Deleted user',
  'company.create': 'Created company',
  'company.update': 'Renamed company',
  'company.delete': 'Deleted company',
  'key.create': 'Created API key',
  'key.revoke': 'Revoked API key'
};

export function roleLabel(role) { return ROLE_LABELS[role] || String(role || ''); }
export function actionLabel(action) { return ACTION_LABELS[action] || action; }
export function auditActions() { return Object.keys(ACTION_LABELS); }
export function sourceLabel(source) { return SOURCE_LABELS[source] || String(source || ''); }
