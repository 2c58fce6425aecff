// basewatch.yaml after loading: references normalised, defaults merged into every entry.
import type { Gate } from '../core/gate.js';
import type { ReferrerPolicy } from '../core/referrers.js';
import type { TagSelection } from '../core/tag-policy.js';
import type { RegistryLocation } from './registry-location.js';
import type { SecretReference } from './secret.js';

export type Platforms = 'all' | readonly string[];

export interface RateLimitPolicy {
  /** Stop pulling from a host when its RateLimit-Remaining drops below this. */
  readonly minRemaining: number;
}

/** Settings every tracked image inherits unless it sets its own. */
export interface ImageDefaults {
  /** NCRONTAB, six fields, UTC. */
  readonly schedule: string;
  readonly platforms: Platforms;
  readonly rateLimit: RateLimitPolicy;
}

export interface AcrRegistry {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

export interface PrivateRegistryConfig {
  readonly url: string;
  readonly location: RegistryLocation;
  readonly acr?: AcrRegistry;
}

/** Credentials for one upstream host. The password is a reference; resolve it with resolveSecret. */
export interface RegistryCredentialConfig {
  /** Literal, or `env:NAME`; resolve with resolveValue. */
  readonly username: string;
  readonly password: SecretReference;
}

/** Public content to keep a private copy of. */
export interface TrackedImageConfig extends ImageDefaults {
  /** Canonical upstream repository, e.g. `docker.io/library/node`. */
  readonly source: string;
  /** Repository in the private registry, e.g. `base/node`. */
  readonly target: string;
  readonly selection: TagSelection;
  /** Signatures, SBOMs and attestations copied with the image (default all). */
  readonly referrers: ReferrerPolicy;
  /** Checks a new digest passes in quarantine before the target tag moves; absent: no gate. */
  readonly gate?: Gate;
}

export type RebuildConfig =
  | { readonly kind: 'acrTask'; readonly task: string }
  | { readonly kind: 'rebase' }
  | { readonly kind: 'webhook'; readonly url: string; readonly secret?: SecretReference };

/** An image built FROM private copies; it may itself be the base of other apps. */
export interface AppConfig {
  readonly name: string;
  /** Graph key of the app's image, e.g. `apps/orders-api:1` (see privateImageKey). */
  readonly image: string;
  readonly team: string;
  /** Graph keys of the bases named in config; more are discovered from the registry. */
  readonly baseImages: readonly string[];
  readonly rebuild: RebuildConfig;
}

export interface WebhookSubscription {
  readonly url: string;
  readonly teams?: readonly string[];
  readonly types?: readonly string[];
  readonly secret?: SecretReference;
  /** What the body is: a CloudEvents batch (default), a Teams Adaptive Card, or a Slack Block Kit message. */
  readonly format?: 'cloudevents' | 'teams' | 'slack';
  /** event (default): one message per batch of events; cycle: one message per team at the end of each cycle. */
  readonly digest?: 'event' | 'cycle';
}

export interface NotificationsConfig {
  readonly eventGrid?: { readonly endpoint: string; readonly key?: SecretReference };
  readonly webhooks: readonly WebhookSubscription[];
}

export interface BasewatchConfig {
  /** The file it was read from, for messages. */
  readonly file: string;
  readonly version: 1;
  readonly registry: PrivateRegistryConfig;
  /** Keyed by upstream registry host, e.g. `docker.io`. */
  readonly credentials: Readonly<Record<string, RegistryCredentialConfig>>;
  readonly defaults: ImageDefaults;
  readonly images: readonly TrackedImageConfig[];
  readonly apps: readonly AppConfig[];
  readonly notifications: NotificationsConfig;
  /** Absent: the local host refuses registry push notifications (they would be unauthenticated). */
  readonly hooks?: HooksConfig;
  /** Absent: run history is kept for ever. */
  readonly history?: HistoryConfig;
}

/** How long finished runs are kept: the host purges older ones daily. */
export interface HistoryConfig {
  readonly keepDays: number;
}

/** How registries that send push notifications authenticate to basewatch. */
export interface HooksConfig {
  /** The bearer token they send (`Authorization: Bearer <token>`); resolve it where a request is checked. */
  readonly token: SecretReference;
}
