/**
 * The policy registry: a policy is one file plus one line here. Tests walk this object so that
 * every policy is tested, documented in --help and docs/engine.md, and named like its file.
 */
import { arc } from './arc.js';
import { clock } from './clock.js';
import { fifo } from './fifo.js';
import { lfu } from './lfu.js';
import { lirs } from './lirs.js';
import { aging } from './aging.js';
import { linux } from './linux.js';
import { lru } from './lru.js';
import { mru } from './mru.js';
import { nru } from './nru.js';
import { opt } from './opt.js';
import type { PolicyDefinition } from './policy.js';
import { random } from './random.js';
import { s3fifo } from './s3fifo.js';
import { sieve } from './sieve.js';
import { slru } from './slru.js';
import { twoq } from './twoq.js';
import { wsclock } from './wsclock.js';

// The policies researchers compare, as libCacheSim runs them (docs/policies.md).
const libCacheSimPolicies = { sieve, s3fifo, twoq, arc, slru, lirs };
// The operating systems' policies (SPEC 2.1, docs/os-policies.md).
const osPolicies = { mru, nru, aging, wsclock, linux };

/**
 * The registry's type, each entry as its file declares it: written out (a policy's line here
 * too) so that the library's declarations can name it (an inferred one would expand the
 * policies' private classes, which declaration files cannot show).
 */
interface PolicyRegistry {
  fifo: typeof fifo;
  lru: typeof lru;
  lfu: typeof lfu;
  clock: typeof clock;
  opt: typeof opt;
  random: typeof random;
  sieve: typeof sieve;
  s3fifo: typeof s3fifo;
  twoq: typeof twoq;
  arc: typeof arc;
  slru: typeof slru;
  lirs: typeof lirs;
  mru: typeof mru;
  nru: typeof nru;
  aging: typeof aging;
  wsclock: typeof wsclock;
  linux: typeof linux;
}

export const policies: PolicyRegistry = { fifo, lru, lfu, clock, opt, random, ...libCacheSimPolicies, ...osPolicies } satisfies Record<string, PolicyDefinition>;

export type PolicyName = keyof typeof policies;

export const POLICY_NAMES = Object.keys(policies) as PolicyName[];

export function isPolicyName(name: string): name is PolicyName {
  return Object.hasOwn(policies, name);
}
