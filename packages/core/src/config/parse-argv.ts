import { editDistance } from '@bastion-mcp/schema';
import type { ConfigProblem } from '../errors.js';

export interface FlagSpec {
  /** `--name` without the dashes. */
  readonly name: string;
  readonly takesValue: boolean;
  readonly short?: string;
  /** How the problem names it, e.g. `--port / BASTION_PORT`. */
  readonly label: string;
}

export interface ParsedArgv {
  /** By flag name; a flag without a value is `true`. */
  values: Record<string, string | boolean>;
  positionals: string[];
  /** One per unreadable argument, naming the setting it belongs to where there is one. */
  problems: ConfigProblem[];
  /** Flags given without a usable value: their settings' own checks would only repeat the problem. */
  unreadable: Set<string>;
}

const HELP_HINT = 'run with --help to see every option';

/**
 * Reads the command line argument by argument and goes on after a bad one, so that every problem
 * is reported at once and no later argument is lost (a lost positional would read as a missing
 * setting). A value may start with a dash when it is a negative number (`--limit -5`, which the
 * setting's own check then refuses) or is written `--name=-value`.
 */
export function parseArgv(argv: readonly string[], flags: readonly FlagSpec[], allowPositionals: boolean): ParsedArgv {
  const byName = new Map(flags.map((flag) => [flag.name, flag]));
  const byShort = new Map(flags.filter((flag) => flag.short).map((flag) => [flag.short!, flag]));
  const parsed: ParsedArgv = { values: {}, positionals: [], problems: [], unreadable: new Set() };
  const unexpected: string[] = [];
  let afterUnknown = false;

  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    const wasAfterUnknown = afterUnknown;
    afterUnknown = false;
    if (argument === '--') {
      for (const rest of argv.slice(index + 1)) addPositional(rest, false);
      break;
    }
    if (!isOption(argument)) {
      addPositional(argument, wasAfterUnknown);
      continue;
    }
    const long = argument.startsWith('--');
    const [name, inline] = long ? splitInline(argument.slice(2)) : [argument.slice(1), undefined];
    const flag = long ? byName.get(name) : byShort.get(name);
    if (!flag) {
      parsed.problems.push({ setting: argument.split('=')[0]!, message: unknownOptionMessage(name, long, flags) });
      afterUnknown = inline === undefined;
      continue;
    }
    if (!flag.takesValue) {
      parsed.values[flag.name] = inline ?? true;
      continue;
    }
    if (inline !== undefined) {
      parsed.values[flag.name] = inline;
      continue;
    }
    const next = argv[index + 1];
    if (next !== undefined && !isKnownOption(next) && !next.startsWith('--')) {
      // Also a value starting with one dash, such as -5: the setting's own check judges it.
      parsed.values[flag.name] = next;
      index += 1;
      continue;
    }
    parsed.unreadable.add(flag.name);
    let message = `--${flag.name} needs a value; give one after it`;
    if (next !== undefined && isKnownOption(next)) message = `--${flag.name} needs a value; put one between --${flag.name} and ${next}`;
    else if (next !== undefined) {
      // An unknown --option right after: more likely a value than an option, so one problem, not two.
      index += 1;
      message = `--${flag.name} needs a value, but the unknown option ${next} follows it; if that is the value, write --${flag.name}=${next}`;
    }
    parsed.problems.push({ setting: flag.label, message });
  }
  if (unexpected.length > 0) {
    parsed.problems.push({
      setting: 'command line',
      message: `unexpected argument${unexpected.length === 1 ? '' : 's'} ${unexpected.map((item) => JSON.stringify(item)).join(', ')}: this command takes options only; ${HELP_HINT}`,
    });
  }
  return parsed;

  function isKnownOption(argument: string): boolean {
    if (argument === '--') return true;
    if (argument.startsWith('--')) return byName.has(splitInline(argument.slice(2))[0]);
    return argument.startsWith('-') && byShort.has(argument.slice(1));
  }

  function addPositional(argument: string, mayBeValueOfUnknown: boolean): void {
    if (allowPositionals) parsed.positionals.push(argument);
    // The word after an unknown option is most likely its value: the unknown option is the one problem.
    else if (!mayBeValueOfUnknown) unexpected.push(argument);
  }
}

/** An option rather than a value: `-x` or `--name`, but not `-` alone or a negative number. */
function isOption(argument: string): boolean {
  return argument === '--' || (argument.length > 1 && argument.startsWith('-') && !/^-\d/.test(argument));
}

function splitInline(body: string): [string, string | undefined] {
  const equals = body.indexOf('=');
  return equals === -1 ? [body, undefined] : [body.slice(0, equals), body.slice(equals + 1)];
}

function unknownOptionMessage(name: string, long: boolean, flags: readonly FlagSpec[]): string {
  const guess = long ? closest(name, flags.map((flag) => flag.name)) : undefined;
  return `unknown option${guess ? `; did you mean --${guess}?` : ''} (${HELP_HINT})`;
}

/** The flag name within two edits of the given one, if there is exactly one nearest. */
function closest(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of names) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
