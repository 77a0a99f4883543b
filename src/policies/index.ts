/**
 * The policy registry: a policy is one file plus one line here. Tests walk this object so that
 * every policy is tested, documented in --help and the README, and named like its file.
 */
import { aging } from './aging.js';
import { clock } from './clock.js';
import { fifo } from './fifo.js';
import { lfu } from './lfu.js';
import { linux } from './linux.js';
import { lru } from './lru.js';
import { mru } from './mru.js';
import { nru } from './nru.js';
import { opt } from './opt.js';
import type { PolicyDefinition } from './policy.js';
import { random } from './random.js';
import { wsclock } from './wsclock.js';

// The operating systems' policies (SPEC 2.1, docs/os-policies.md).
const osPolicies = { mru, nru, aging, wsclock, linux };

export const policies = { fifo, lru, lfu, clock, opt, random, ...osPolicies } satisfies Record<string, PolicyDefinition>;

export type PolicyName = keyof typeof policies;

export const POLICY_NAMES = Object.keys(policies) as PolicyName[];

export function isPolicyName(name: string): name is PolicyName {
  return Object.hasOwn(policies, name);
}
