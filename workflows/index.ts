// Every workflow the worker registers. Deterministic code only (see eslint.config.js).
export { inviteWorkflow } from './invite.js';
export { applicationWorkflow } from './application.js';
export { guardianWorkflow } from './guardians.js';
export { signupWorkflow } from './signup.js';
export { reconcileWorkflow } from './reconcile.js';
export { reconcileSchoolWorkflow } from './reconcile-school.js';
export { journalLinkWorkflow } from './journal-link.js';
