// The identity-proof port (R-L5): the ways the hub itself verifies that a person is a journal
// person. Each sign-in is performed by the hub against the journal or identity provider; what comes
// back is the provider's word, never the client's. A school-issued linking code (sync/linking-codes.ts)
// is the fourth way, for sources with no end-user sign-in, and needs no adapter.

/** What a verification returned about the person who signed in. */
export interface VerifiedIdentity {
  /** The journal's own person id (a journal sign-in names it; Gosuslugi names a citizen, not a journal person). */
  externalPersonId?: string;
  /** ISO date, from an identity provider that certifies it (Gosuslugi). */
  birthDate?: string;
  /** SNILS digits only, from Gosuslugi. */
  snils?: string;
  /** Roles the journal gives the account (student, parent, teacher, …). */
  roles?: string[];
  /** Journal ids of the children a parent's own account lists (Eljur `getrules` relations). */
  children?: string[];
  /** The account holder's name as the provider certifies it (Gosuslugi). */
  name?: { family: string; given: string };
  /** Birth dates of the children the provider lists for the account (Gosuslugi): a parent's account. */
  childrenBirthDates?: string[];
}

/** A sign-in with the journal's own login and password, sent once to the journal over TLS, never stored. */
export interface PasswordSignIn {
  readonly method: 'journal-login';
  signIn(credentials: { login: string; password: string }): Promise<VerifiedIdentity>;
}

/** An OAuth 2.0 / OpenID Connect authorization-code sign-in (Dnevnik.ru, Gosuslugi). */
export interface RedirectSignIn {
  readonly method: 'dnevnik-oauth' | 'esia';
  /** Where the person's browser goes to sign in; `state` and `nonce` come back and are checked. */
  authorizeUrl(p: { state: string; nonce: string; redirectUri: string }): Promise<string>;
  /** The code the provider redirected back with → the identity (the code is exchanged server to server). */
  complete(p: { code: string; nonce: string; redirectUri: string }): Promise<VerifiedIdentity>;
}

export type IdentityProof = PasswordSignIn | RedirectSignIn;
export type ProofMethod = IdentityProof['method'] | 'linking-code';

/** The provider refused the sign-in (wrong password, a code it does not know): the person's to fix. */
export class SignInRefused extends Error {
  constructor(readonly why: string) {
    super(`sign-in refused: ${why}`);
    this.name = 'SignInRefused';
  }
}
