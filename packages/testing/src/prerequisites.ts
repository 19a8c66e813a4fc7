// Tests that need something from the machine (a built bin, a PostgreSQL engine, root): where it is
// missing they are skipped with the reason in their title, so the skip shows in every report; in CI
// (CI=true), which installs and builds everything, a missing prerequisite fails instead.
import { describe, it, type TestFunction } from 'vitest';

/** Why a prerequisite is missing, with the fix; `false`, `undefined` or `''` when it is met. */
export type Missing = string | false | undefined;

export interface PrerequisiteOptions {
  /** A feature CI machines may lack too (a second file system): skipped with the reason in CI as well. */
  readonly optionalInCi?: boolean;
  /** The environment to read CI from; process.env unless given. */
  readonly env?: NodeJS.ProcessEnv;
}

/** What becomes of the tests: run as written, skipped with the reason in the title, or failed. */
export type PrerequisiteOutcome =
  | { readonly kind: 'run' }
  | { readonly kind: 'skip'; readonly title: (title: string) => string }
  | { readonly kind: 'fail'; readonly message: string };

export interface Prerequisite {
  /** Every reason a prerequisite is missing, joined; undefined when all are met. */
  readonly missing: string | undefined;
  readonly describe: (title: string, body: () => void) => void;
  readonly it: (title: string, body: TestFunction, timeout?: number) => void;
}

function reasonOf(missing: Missing | readonly Missing[]): string | undefined {
  const reasons = (Array.isArray(missing) ? missing : [missing]).filter((reason): reason is string => Boolean(reason));
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

export function prerequisiteOutcome(missing: Missing | readonly Missing[], options: PrerequisiteOptions = {}): PrerequisiteOutcome {
  const reason = reasonOf(missing);
  if (reason === undefined) return { kind: 'run' };
  if ((options.env ?? process.env).CI === 'true' && !options.optionalInCi) {
    return { kind: 'fail', message: `Missing in CI, where it is required: ${reason}` };
  }
  return { kind: 'skip', title: (title) => `${title} [skipped: ${reason}]` };
}

/** The describe and it to register tests that need what `missing` names. */
export function requires(missing: Missing | readonly Missing[], options: PrerequisiteOptions = {}): Prerequisite {
  const outcome = prerequisiteOutcome(missing, options);
  const reasons = reasonOf(missing);
  switch (outcome.kind) {
    case 'run':
      return { missing: undefined, describe, it };
    case 'skip':
      return {
        missing: reasons,
        describe: (title, body) => describe.skip(outcome.title(title), body),
        it: (title, body, timeout) => it.skip(outcome.title(title), body, timeout),
      };
    case 'fail': {
      const failure = () => {
        throw new Error(outcome.message);
      };
      return {
        missing: reasons,
        describe: (title) => describe(title, () => it('has what it needs', failure)),
        it: (title) => it(title, failure),
      };
    }
  }
}
