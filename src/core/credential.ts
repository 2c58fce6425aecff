// A registry login as basewatch holds it: only ever in memory, resolved inside the activity that uses it.

/** A user name and password (or token) for one registry host. Never logged, stored or sent in events. */
export interface RegistryCredential {
  readonly username: string;
  readonly password: string;
}
