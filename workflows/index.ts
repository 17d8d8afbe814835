// Every workflow the worker registers. Deterministic code only (see eslint.config.js).
export { inviteWorkflow } from './invite.js';
export { signupWorkflow } from './signup.js';
